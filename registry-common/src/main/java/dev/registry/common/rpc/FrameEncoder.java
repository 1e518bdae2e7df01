package dev.registry.common.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

@ChannelHandler.Sharable
final class FrameEncoder extends MessageToByteEncoder<Frame> {
    static final FrameEncoder INSTANCE = new FrameEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        out.ensureWritable(Frame.LENGTH_FIELD + Frame.HEADER_LENGTH + frame.body().length);
        out.writeInt(Frame.HEADER_LENGTH + frame.body().length);
        out.writeShort(Frame.MAGIC);
        out.writeByte(Frame.VERSION);
        out.writeByte(frame.type().code);
        out.writeByte(frame.flags());
        out.writeLong(frame.requestId());
        out.writeBytes(frame.body());
    }
}
