package dev.registry.session.bolt;

import static dev.registry.session.bolt.BoltProtocol.CMD_HEARTBEAT;
import static dev.registry.session.bolt.BoltProtocol.CMD_REQUEST;
import static dev.registry.session.bolt.BoltProtocol.CMD_RESPONSE;
import static dev.registry.session.bolt.BoltProtocol.CODEC_HESSIAN2;
import static dev.registry.session.bolt.BoltProtocol.TYPE_REQUEST;
import static dev.registry.session.bolt.BoltProtocol.TYPE_RESPONSE;

/**
 * One Bolt v1 command, decoded. {@code timeoutMillis} is set for requests, {@code status} for
 * responses; a received header (unused by SOFARegistry's client) is skipped.
 *
 * @param className UTF-8 class name of the content; null when the frame carries none
 * @param content   the serialized body; never null
 */
public record BoltCommand(byte type, short cmdCode, int requestId, byte codec, int timeoutMillis, short status,
                          String className, byte[] content) {

    private static final byte[] EMPTY = new byte[0];

    public BoltCommand {
        content = content == null ? EMPTY : content;
    }

    public static BoltCommand heartbeat(int requestId) {
        return new BoltCommand(TYPE_REQUEST, CMD_HEARTBEAT, requestId, CODEC_HESSIAN2, -1, (short) 0, null, EMPTY);
    }

    public static BoltCommand heartbeatAck(int requestId) {
        return new BoltCommand(TYPE_RESPONSE, CMD_HEARTBEAT, requestId, CODEC_HESSIAN2, 0,
                BoltProtocol.Status.SUCCESS.code, null, EMPTY);
    }

    public static BoltCommand request(int requestId, int timeoutMillis, String className, byte[] content) {
        return new BoltCommand(TYPE_REQUEST, CMD_REQUEST, requestId, CODEC_HESSIAN2, timeoutMillis, (short) 0,
                className, content);
    }

    /** A response copies the request's codec, as bolt does. */
    public static BoltCommand response(int requestId, byte codec, BoltProtocol.Status status, String className,
                                       byte[] content) {
        return new BoltCommand(TYPE_RESPONSE, CMD_RESPONSE, requestId, codec, 0, status.code, className, content);
    }

    public boolean isResponse() {
        return type == TYPE_RESPONSE;
    }

    public boolean isHeartbeat() {
        return cmdCode == CMD_HEARTBEAT;
    }

    @Override
    public String toString() {
        return "BoltCommand{type=" + type + " cmd=" + cmdCode + " id=" + requestId + " codec=" + codec
                + (isResponse() ? " status=" + BoltProtocol.Status.describe(status) : " timeout=" + timeoutMillis)
                + " class=" + className + " content=" + content.length + "B}";
    }
}
