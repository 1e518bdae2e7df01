package dev.registry.common.rpc;

/**
 * Handles one message type. Runs on a worker thread; calls from one connection are handled
 * in arrival order, so a handler should not block (return a CompletionStage for slow work).
 *
 * @param <T> the message type
 */
@FunctionalInterface
public interface RequestHandler<T> {
    /**
     * @return the response object, a {@link java.util.concurrent.CompletionStage} of it, or null
     *         (ignored for one-way messages). Throw {@link RpcException} for a coded error;
     *         {@link IllegalArgumentException} becomes {@link ErrorCode#BAD_REQUEST}.
     */
    Object handle(RpcConnection connection, T message) throws Exception;
}
