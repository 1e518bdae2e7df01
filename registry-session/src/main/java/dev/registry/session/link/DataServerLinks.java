package dev.registry.session.link;

import dev.registry.common.meta.MetaClient;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.rpc.Backoff;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
    private final RpcClient client;
    private final SlotTableHolder tables;
    private final MetaClient meta;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(500), new Random());
    private final Map<String, CompletableFuture<RpcConnection>> links = new ConcurrentHashMap<>();
    private final Duration callTimeout;
    private final Consumer<String> onNewConnection;
    private volatile boolean closed;

    public DataServerLinks(String sessionId, RpcClient client, SlotTableHolder tables, MetaClient meta,
                           ScheduledExecutorService scheduler, Duration callTimeout,
                           Consumer<String> onNewConnection) {
        this.onNewConnection = onNewConnection;
        this.sessionId = sessionId;
        this.client = client;
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
        CompletableFuture<RpcConnection> created;
        while (true) {
            CompletableFuture<RpcConnection> existing = links.get(address);
            if (existing != null && (!existing.isDone() || isUsable(existing))) {
                return existing;
            }
            created = new CompletableFuture<>();
            boolean installed = existing == null ? links.putIfAbsent(address, created) == null
                    : links.replace(address, existing, created);
            if (installed) {
                break;
            }
        }
        CompletableFuture<RpcConnection> mine = created;
        int colon = address.lastIndexOf(':');
        client.connect(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
                .thenCompose(conn -> conn.call(new SessionHello(sessionId), callTimeout).thenApply(ok -> conn))
                .whenComplete((conn, error) -> {
                    if (error != null) {
                        links.remove(address, mine);
                        mine.completeExceptionally(error);
                        return;
                    }
                    conn.closeFuture().thenRun(() -> links.remove(address, mine));
                    mine.complete(conn);
                    onNewConnection.accept(address);
                });
        return mine;
    }

    private static boolean isUsable(CompletableFuture<RpcConnection> f) {
        return !f.isCompletedExceptionally() && f.join().isActive();
    }

    /** Opens connections to every data server in the table (so notices from all of them arrive). */
    public void connectAll(Set<String> servers) {
        for (String s : servers) {
            connection(s).exceptionally(e -> {
                log.debug("cannot reach data server {}: {}", s, e.getMessage());
                return null;
            });
        }
        for (String known : links.keySet()) {
            if (!servers.contains(known)) {
                CompletableFuture<RpcConnection> f = links.remove(known);
                if (f != null) {
                    f.thenAccept(RpcConnection::close);
                }
            }
        }
    }

    /** True when the table is complete and a live connection exists to every slot leader. */
    public boolean allLeadersConnected() {
        SlotTable table = tables.current();
        if (!table.isComplete()) {
            return false;
        }
        for (String server : table.servers()) {
            CompletableFuture<RpcConnection> f = links.get(server);
            if (f == null || !f.isDone() || !isUsable(f)) {
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
        for (CompletableFuture<RpcConnection> f : links.values()) {
            f.thenAccept(RpcConnection::close);
        }
        links.clear();
    }
}
