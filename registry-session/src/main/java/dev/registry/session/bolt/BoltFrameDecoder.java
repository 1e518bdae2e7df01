package dev.registry.session.bolt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.registry.session.bolt.BoltProtocol.CMD_RESPONSE;
import static dev.registry.session.bolt.BoltProtocol.MAX_CLASS_NAME_BYTES;
import static dev.registry.session.bolt.BoltProtocol.PROTOCOL_CODE;
import static dev.registry.session.bolt.BoltProtocol.REQUEST_HEADER_BYTES;
import static dev.registry.session.bolt.BoltProtocol.RESPONSE_HEADER_BYTES;
import static dev.registry.session.bolt.BoltProtocol.TYPE_ONEWAY;
import static dev.registry.session.bolt.BoltProtocol.TYPE_RESPONSE;

/**
 * Cuts a Bolt v1 byte stream into {@link BoltCommand}s. Each byte is checked as soon as it
 * arrives (protocol code, then command type, then the header), and the declared lengths are
 * checked against the maximum frame size before anything is allocated, so garbage and huge
 * frames fail fast. After a {@link BoltFrameException} the rest of the stream is discarded.
 */
public final class BoltFrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private boolean failed;

    public BoltFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < 1) {
            return;
        }
        byte proto = in.getByte(start);
        if (proto != PROTOCOL_CODE) {
            fail(0, String.format("unknown protocol code 0x%02x: this port speaks Bolt RPC v1 (protocol code 1), "
                    + "the transport of SOFARegistry's Java client", proto & 0xff));
        }
        if (readable < 2) {
            return;
        }
        byte type = in.getByte(start + 1);
        if (type < TYPE_RESPONSE || type > TYPE_ONEWAY) {
            fail(0, "unknown Bolt command type " + type + " (0 response, 1 request, 2 one-way)");
        }
        boolean response = type == TYPE_RESPONSE;
        int headerBytes = response ? RESPONSE_HEADER_BYTES : REQUEST_HEADER_BYTES;
        if (readable < headerBytes) {
            return;
        }
        short cmdCode = in.getShort(start + 2);
        int requestId = in.getInt(start + 5);
        if (cmdCode < 0 || cmdCode > CMD_RESPONSE) {
            fail(requestId, "unknown Bolt command code " + cmdCode + " (0 heartbeat, 1 request, 2 response)");
        }
        byte codec = in.getByte(start + 9);
        int timeout = 0;
        short status = 0;
        int lengths = start + (response ? 12 : 14);
        if (response) {
            status = in.getShort(start + 10);
        } else {
            timeout = in.getInt(start + 10);
        }
        int classLen = in.getShort(lengths);
        int headerLen = in.getShort(lengths + 2);
        int contentLen = in.getInt(lengths + 4);
        if (classLen < 0 || headerLen < 0 || contentLen < 0) {
            fail(requestId, "negative length in Bolt header (class " + classLen + ", header " + headerLen
                    + ", content " + contentLen + ")");
        }
        if (classLen > MAX_CLASS_NAME_BYTES) {
            fail(requestId, "class name of " + classLen + " bytes exceeds the maximum of " + MAX_CLASS_NAME_BYTES);
        }
        long total = (long) headerBytes + classLen + headerLen + contentLen;
        if (total > maxFrameBytes) {
            fail(requestId, "frame of " + total + " bytes exceeds the maximum of " + maxFrameBytes);
        }
        if (readable < total) {
            return;
        }
        String className = classLen == 0 ? null
                : in.toString(start + headerBytes, classLen, StandardCharsets.UTF_8);
        byte[] content = new byte[contentLen];
        in.getBytes(start + headerBytes + classLen + headerLen, content);
        in.skipBytes((int) total);
        out.add(new BoltCommand(type, cmdCode, requestId, codec, timeout, status, className, content));
    }

    private void fail(int requestId, String message) {
        failed = true;
        throw new BoltFrameException(requestId, message);
    }
}
