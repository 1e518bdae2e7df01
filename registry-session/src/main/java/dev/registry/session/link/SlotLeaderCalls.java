package dev.registry.session.link;

import dev.registry.common.rpc.Backoff;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The retry policy of calls to a slot's leader, apart from how a call reaches a server (the
 * session's connection pool; a simulated network in registry-sim): NOT_LEADER, a closed
 * connection, a timeout or no leader lead to a table refresh and a retry with backoff, against
 * the table then in use, until the deadline. Thread-safe.
 */
public final class SlotLeaderCalls implements LeaderCalls {
    private static final Logger log = LoggerFactory.getLogger(SlotLeaderCalls.class);
    private static final Set<ErrorCode> RETRYABLE = Set.of(ErrorCode.NOT_LEADER, ErrorCode.CONNECTION_CLOSED,
            ErrorCode.TIMEOUT, ErrorCode.UNAVAILABLE);

    /** How one call reaches a data server. */
    public interface Transport {
        <T> CompletableFuture<T> call(String server, Object request, Class<T> responseType);
    }

    private final Supplier<SlotTable> tables;
    private final Transport transport;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final LongSupplier nanoTime;
    private final Runnable refreshTables;
    private final BooleanSupplier closed;

    /**
     * @param nanoTime      the monotonic clock deadlines are measured on
     * @param refreshTables asks meta for the current table soon (a slot without a leader, a NOT_LEADER)
     * @param closed        true once the session stops: calls then fail at once
     */
    public SlotLeaderCalls(Supplier<SlotTable> tables, Transport transport, ScheduledExecutorService scheduler,
                           Backoff backoff, LongSupplier nanoTime, Runnable refreshTables, BooleanSupplier closed) {
        this.tables = tables;
        this.transport = transport;
        this.scheduler = scheduler;
        this.backoff = backoff;
        this.nanoTime = nanoTime;
        this.refreshTables = refreshTables;
        this.closed = closed;
    }

    @Override
    public <T> CompletableFuture<T> callLeader(int slot, LongFunction<Object> request, Class<T> responseType,
                                               Duration deadline) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(slot, request, responseType, nanoTime.getAsLong() + deadline.toNanos(), 0, result);
        return result;
    }

    private <T> void attempt(int slot, LongFunction<Object> request, Class<T> responseType, long deadlineNanos,
                             int attempt, CompletableFuture<T> result) {
        if (closed.getAsBoolean()) {
            result.completeExceptionally(new RpcException(ErrorCode.UNAVAILABLE, "session is shutting down"));
            return;
        }
        SlotTable table = tables.get();
        String leader = table.slot(slot).leader();
        CompletableFuture<T> call;
        if (leader == null) {
            refreshTables.run();
            call = CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE,
                    "slot " + slot + " has no leader at epoch " + table.epoch()));
        } else {
            call = transport.call(leader, request.apply(table.epoch()), responseType);
        }
        call.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            RpcException rpc = RpcException.unwrap(error);
            ErrorCode code = rpc == null ? ErrorCode.CONNECTION_CLOSED : rpc.code();
            if (!RETRYABLE.contains(code) || nanoTime.getAsLong() > deadlineNanos) {
                result.completeExceptionally(rpc != null ? rpc : error);
                return;
            }
            if (code == ErrorCode.NOT_LEADER || code == ErrorCode.CONNECTION_CLOSED) {
                refreshTables.run();
            }
            log.debug("slot {} call to {} failed ({}), retry {}", slot, leader, code, attempt + 1);
            try {
                scheduler.schedule(() -> attempt(slot, request, responseType, deadlineNanos, attempt + 1, result),
                        backoff.delay(attempt).toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                result.completeExceptionally(new RpcException(ErrorCode.UNAVAILABLE, "session is shutting down"));
            }
        });
    }
}
