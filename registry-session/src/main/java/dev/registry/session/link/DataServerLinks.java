package dev.registry.session.link;

import dev.registry.common.meta.MetaClient;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.random.RandomSource;
import dev.registry.common.rpc.Backoff;
import dev.registry.common.rpc.ConnectionPool;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The session's connections to data servers (one per server, opened on demand and for every
 * server in the slot table so change notices arrive), and calls to a slot's leader that
 * survive slot-table changes: NOT_LEADER, a closed connection, a timeout or no leader lead to
 * a table refresh and a retry with backoff until the deadline. Thread-safe.
 */
public final class DataServerLinks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataServerLinks.class);
    private static final Set<ErrorCode> RETRYABLE = Set.of(ErrorCode.NOT_LEADER, ErrorCode.CONNECTION_CLOSED,
            ErrorCode.TIMEOUT, ErrorCode.UNAVAILABLE);

    private final String sessionId;
    private final SlotTableHolder tables;
    private final MetaClient meta;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final ConnectionPool pool;
    private final Duration callTimeout;
    private volatile boolean closed;

    /** With retry jitter from an unseeded source (tests; the session passes its own). */
    public DataServerLinks(String sessionId, RpcClient client, SlotTableHolder tables, MetaClient meta,
                           ScheduledExecutorService scheduler, Duration callTimeout,
                           Consumer<String> onNewConnection) {
        this(sessionId, client, tables, meta, scheduler, callTimeout, onNewConnection,
                RandomSource.unseeded().forComponent("session.data-links"));
    }

    /** @param random jitter of the retries' backoff (the node's RandomSource, so a seed replays it) */
    public DataServerLinks(String sessionId, RpcClient client, SlotTableHolder tables, MetaClient meta,
                           ScheduledExecutorService scheduler, Duration callTimeout,
                           Consumer<String> onNewConnection, Random random) {
        this.sessionId = sessionId;
        this.backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(500), random);
        // A data server whose connection drops or refuses us is reported to meta, which probes it
        // and fails its slots over at once if it is dead (instead of after its lease).
        this.pool = new ConnectionPool(client,
                conn -> conn.call(new SessionHello(sessionId), callTimeout), onNewConnection,
                address -> meta.reportUnreachable(address, sessionId));
        this.tables = tables;
        this.meta = meta;
        this.scheduler = scheduler;
        this.callTimeout = callTimeout;
    }

    /**
     * The connection to a data server, opening it (and introducing this session) if needed.
     * Each new connection is reported to {@code onNewConnection}: the data server may have
     * dropped this session's publishers while it was away, so the session re-syncs them.
     */
    public CompletableFuture<RpcConnection> connection(String address) {
        return pool.get(address);
    }

    /** Opens connections to every data server in the table (so notices from all of them arrive). */
    public void connectAll(Set<String> servers) {
        for (String s : servers) {
            pool.get(s).exceptionally(e -> {
                log.debug("cannot reach data server {}: {}", s, e.getMessage());
                return null;
            });
        }
        pool.retainOnly(servers);
    }

    /** True when a live connection to this data server is open now. */
    public boolean isConnected(String server) {
        return pool.isConnected(server);
    }

    /** True when the table is complete and a live connection exists to every slot leader. */
    public boolean allLeadersConnected() {
        SlotTable table = tables.current();
        if (!table.isComplete()) {
            return false;
        }
        for (String server : table.servers()) {
            if (!pool.isConnected(server)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Calls the leader of {@code slot} with a request built for the table epoch in use, retrying
     * across table changes until {@code deadline} has passed.
     */
    public <T> CompletableFuture<T> callLeader(int slot, LongFunction<Object> request, Class<T> responseType,
                                               Duration deadline) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(slot, request, responseType, System.nanoTime() + deadline.toNanos(), 0, result);
        return result;
    }

    private <T> void attempt(int slot, LongFunction<Object> request, Class<T> responseType, long deadlineNanos,
                             int attempt, CompletableFuture<T> result) {
        if (closed) {
            result.completeExceptionally(new RpcException(ErrorCode.UNAVAILABLE, "session is shutting down"));
            return;
        }
        SlotTable table = tables.current();
        String leader = table.slot(slot).leader();
        CompletableFuture<T> call;
        if (leader == null) {
            meta.refreshSoon();
            call = CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE,
                    "slot " + slot + " has no leader at epoch " + table.epoch()));
        } else {
            call = connection(leader).thenCompose(conn -> conn.call(request.apply(table.epoch()), responseType, callTimeout));
        }
        call.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            RpcException rpc = RpcException.unwrap(error);
            ErrorCode code = rpc == null ? ErrorCode.CONNECTION_CLOSED : rpc.code();
            if (!RETRYABLE.contains(code) || System.nanoTime() > deadlineNanos) {
                result.completeExceptionally(rpc != null ? rpc : error);
                return;
            }
            if (code == ErrorCode.NOT_LEADER || code == ErrorCode.CONNECTION_CLOSED) {
                meta.refreshSoon();
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

    @Override
    public void close() {
        closed = true;
        pool.close();
    }
}
