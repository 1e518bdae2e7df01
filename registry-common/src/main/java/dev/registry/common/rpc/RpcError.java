package dev.registry.common.rpc;

import java.io.Serializable;

/** The body of an error response: a code and a message a person can act on. Wire DTO. */
public final class RpcError implements Serializable {
    private static final long serialVersionUID = 1L;

    private String code;
    private String message;
    /** For NOT_LEADER: the responder's slot table epoch, so the caller knows what to wait for. */
    private long epoch;

    @SuppressWarnings("unused")
    private RpcError() {
    }

    public RpcError(ErrorCode code, String message, long epoch) {
        this.code = code.name();
        this.message = message;
        this.epoch = epoch;
    }

    public ErrorCode code() {
        try {
            return ErrorCode.valueOf(code);
        } catch (RuntimeException e) {
            return ErrorCode.SERVER_ERROR;
        }
    }

    public String message() {
        return message;
    }

    public long epoch() {
        return epoch;
    }

    @Override
    public String toString() {
        return code + ": " + message;
    }
}
