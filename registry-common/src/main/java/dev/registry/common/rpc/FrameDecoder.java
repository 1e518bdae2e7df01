package dev.registry.common.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Cuts the stream into {@link Frame}s. The declared length is checked against the maximum
 * before anything is allocated, and the header before the body is read: garbage fails fast.
 * After a {@link FrameException} the stream is unusable; {@link RpcChannelHandler} answers with
 * an error frame and closes it.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Frame.LENGTH_FIELD + Frame.HEADER_LENGTH) {
            // Check the magic as soon as it is there, so garbage is refused without waiting.
            if (in.readableBytes() >= Frame.LENGTH_FIELD + 2) {
                checkMagic(in.getShort(in.readerIndex() + Frame.LENGTH_FIELD));
            }
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        if (length < Frame.HEADER_LENGTH) {
            fail(ErrorCode.BAD_FRAME, "frame length " + length + " is shorter than the header");
        }
        if (length > maxFrameBytes) {
            fail(ErrorCode.FRAME_TOO_LARGE, "frame of " + length + " bytes exceeds the maximum of " + maxFrameBytes);
        }
        checkMagic(in.getShort(start + 4));
        byte version = in.getByte(start + 6);
        if (version != Frame.VERSION) {
            fail(ErrorCode.BAD_FRAME, "unsupported protocol version " + version);
        }
        FrameType type = FrameType.of(in.getByte(start + 7));
        if (type == null) {
            fail(ErrorCode.BAD_FRAME, "unknown frame type " + in.getByte(start + 7));
        }
        if (in.readableBytes() < Frame.LENGTH_FIELD + length) {
            return;
        }
        byte flags = in.getByte(start + 8);
        long requestId = in.getLong(start + 9);
        byte[] body = new byte[length - Frame.HEADER_LENGTH];
        in.getBytes(start + Frame.LENGTH_FIELD + Frame.HEADER_LENGTH, body);
        in.skipBytes(Frame.LENGTH_FIELD + length);
        out.add(new Frame(type, flags, requestId, body));
    }

    private void checkMagic(short magic) {
        if (magic != Frame.MAGIC) {
            fail(ErrorCode.BAD_FRAME, String.format("bad magic 0x%04x (expected 0x%04x)", magic, Frame.MAGIC));
        }
    }

    private void fail(ErrorCode code, String message) {
        failed = true;
        throw new FrameException(code, message);
    }
}
