package dev.registry.common.rpc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Calls of one connection that await their response, by request id: each is completed exactly
 * once, by its response, its timeout, a write failure or the connection closing, and then
 * forgotten (nothing leaks, whatever comes first). Shared by our RPC connections and the
 * SOFARegistry Bolt port's push requests.
 *
 * <p>Thread-safe.
 */
public final class PendingCalls {
    private final Map<Long, Call> pending = new ConcurrentHashMap<>();

    private static final class Call {
        final CompletableFuture<Object> result;
        volatile ScheduledFuture<?> timeout;

        Call(CompletableFuture<Object> result) {
            this.result = result;
        }
    }

    /**
     * Registers a call; unless answered first, it fails with {@link ErrorCode#TIMEOUT} and
     * {@code timeoutMessage} after {@code timeout} (scheduled on {@code timer}, e.g. the
     * channel's event loop).
     */
    public void register(long requestId, CompletableFuture<Object> result, ScheduledExecutorService timer,
                         Duration timeout, Supplier<String> timeoutMessage) {
        Call call = new Call(result);
        pending.put(requestId, call);
        call.timeout = timer.schedule(() -> {
            if (pending.remove(requestId, call)) {
                result.completeExceptionally(new RpcException(ErrorCode.TIMEOUT, timeoutMessage.get()));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Removes the call answered now and stops its timeout; null for a late or unknown response. */
    public CompletableFuture<Object> take(long requestId) {
        Call call = pending.remove(requestId);
        if (call == null) {
            return null;
        }
        if (call.timeout != null) {
            call.timeout.cancel(false);
        }
        return call.result;
    }

    /** Fails the call, if it still waits. */
    public void fail(long requestId, RpcException error) {
        CompletableFuture<Object> result = take(requestId);
        if (result != null) {
            result.completeExceptionally(error);
        }
    }

    /** Fails every waiting call (the connection closed). */
    public void failAll(Supplier<RpcException> error) {
        for (Long requestId : pending.keySet()) {
            fail(requestId, error.get());
        }
    }

    public int size() {
        return pending.size();
    }
}
