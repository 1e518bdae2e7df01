package dev.registry.common.rpc;

/**
 * One decoded frame. On the wire:
 * <pre>
 * int32 length (of everything after it) | int16 magic 0x5247 | int8 version | int8 type | int8 flags | int64 requestId | body
 * </pre>
 * The body is the serialized message (or an {@link RpcError} when {@link #FLAG_ERROR} is set).
 * On an in-process link a frame may carry the message object itself instead ({@code message},
 * body null); such a frame never reaches the encoder.
 */
record Frame(FrameType type, byte flags, long requestId, byte[] body, Object message) {
    static final short MAGIC = 0x5247; // "RG"
    static final byte VERSION = 1;
    static final int LENGTH_FIELD = 4;
    static final int HEADER_LENGTH = 2 + 1 + 1 + 1 + 8;
    static final byte FLAG_ERROR = 1;

    Frame(FrameType type, byte flags, long requestId, byte[] body) {
        this(type, flags, requestId, body, null);
    }

    static Frame heartbeat() {
        return new Frame(FrameType.HEARTBEAT, (byte) 0, 0, new byte[0]);
    }

    boolean isError() {
        return (flags & FLAG_ERROR) != 0;
    }
}
