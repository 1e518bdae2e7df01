package dev.registry.session.link;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/** Calls to the leader of a slot, whoever that is when the call goes out; what the session's publisher sync needs. */
public interface LeaderCalls {
    /**
     * Calls the leader of {@code slot} with a request built for the table epoch in use, retrying
     * across table changes until {@code deadline} has passed.
     */
    <T> CompletableFuture<T> callLeader(int slot, LongFunction<Object> request, Class<T> responseType, Duration deadline);
}
