package dev.registry.common.rpc;

/** A failed call or a handler's refusal, with a wire {@link ErrorCode}. */
public class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final long epoch;

    public RpcException(ErrorCode code, String message) {
        this(code, message, 0);
    }

    public RpcException(ErrorCode code, String message, long epoch) {
        super(code + ": " + message);
        this.code = code;
        this.epoch = epoch;
    }

    public static RpcException from(RpcError error) {
        return new RpcException(error.code(), error.message(), error.epoch());
    }

    public ErrorCode code() {
        return code;
    }

    /** The responder's slot-table epoch for {@link ErrorCode#NOT_LEADER}, else 0. */
    public long epoch() {
        return epoch;
    }

    public RpcError toError() {
        String msg = getMessage();
        String prefix = code + ": ";
        return new RpcError(code, msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg, epoch);
    }

    /** Unwraps CompletionException layers to the RpcException inside, if any. */
    public static RpcException unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RpcException r) {
                return r;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /**
     * The error a caller is answered with for a handler's failure: an RpcException's own, a
     * BAD_REQUEST for an IllegalArgumentException (bad input, its message names the problem), or
     * null for anything else: a bug the caller should log before answering SERVER_ERROR.
     */
    public static RpcError expectedError(Throwable error) {
        RpcException rpc = unwrap(error);
        if (rpc != null) {
            return rpc.toError();
        }
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause
                && !(cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        if (cause instanceof IllegalArgumentException) {
            return new RpcError(ErrorCode.BAD_REQUEST, cause.getMessage(), 0);
        }
        return null;
    }
}
