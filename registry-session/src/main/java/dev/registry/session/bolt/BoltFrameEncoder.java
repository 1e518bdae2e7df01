package dev.registry.session.bolt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import java.nio.charset.StandardCharsets;

import static dev.registry.session.bolt.BoltProtocol.PROTOCOL_CODE;
import static dev.registry.session.bolt.BoltProtocol.VERSION;

/** Writes {@link BoltCommand}s in Bolt v1 layout (no custom header). Stateless. */
@ChannelHandler.Sharable
public final class BoltFrameEncoder extends MessageToByteEncoder<BoltCommand> {
    public static final BoltFrameEncoder INSTANCE = new BoltFrameEncoder();

    private BoltFrameEncoder() {
        super(BoltCommand.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, BoltCommand cmd, ByteBuf out) {
        encode(cmd, out);
    }

    /** The bytes of one command; also used by tests to build frames. */
    public static void encode(BoltCommand cmd, ByteBuf out) {
        byte[] className = cmd.className() == null ? new byte[0] : cmd.className().getBytes(StandardCharsets.UTF_8);
        out.writeByte(PROTOCOL_CODE);
        out.writeByte(cmd.type());
        out.writeShort(cmd.cmdCode());
        out.writeByte(VERSION);
        out.writeInt(cmd.requestId());
        out.writeByte(cmd.codec());
        if (cmd.isResponse()) {
            out.writeShort(cmd.status());
        } else {
            out.writeInt(cmd.timeoutMillis());
        }
        out.writeShort(className.length);
        out.writeShort(0);
        out.writeInt(cmd.content().length);
        out.writeBytes(className);
        out.writeBytes(cmd.content());
    }
}
