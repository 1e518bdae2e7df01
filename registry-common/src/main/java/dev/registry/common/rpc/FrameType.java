package dev.registry.common.rpc;

enum FrameType {
    REQUEST(1), RESPONSE(2), ONEWAY(3), HEARTBEAT(4), HEARTBEAT_ACK(5);

    final byte code;

    FrameType(int code) {
        this.code = (byte) code;
    }

    static FrameType of(byte code) {
        for (FrameType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
