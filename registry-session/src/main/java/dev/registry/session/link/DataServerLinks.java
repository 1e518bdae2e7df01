package dev.registry.session.link;

import dev.registry.common.meta.MetaClient;
import dev.registry.common.protocol.LeaderWritesRequest;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.random.RandomSource;
import dev.registry.common.rpc.Backoff;
import dev.registry.common.rpc.ConnectionPool;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConnection;
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
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The session's connections to data servers (one per server, opened on demand and for every
 * server in the slot table so change notices arrive), and calls to a slot's leader over them
 * that survive slot-table changes ({@link SlotLeaderCalls}). Thread-safe.
 */
public final class DataServerLinks implements LeaderCalls, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataServerLinks.class);

    private final String sessionId;
    private final SlotTableHolder tables;
    private final ConnectionPool pool;
    private final SlotLeaderCalls leaderCalls;
    private volatile boolean closed;
    /** The write batcher of each open data connection (dropped when it closes). */
    private final Map<RpcConnection, LeaderWriteBatcher> batchers = new ConcurrentHashMap<>();

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
        // A data server whose connection drops or refuses us is reported to meta, which probes it
        // and fails its slots over at once if it is dead (instead of after its lease).
        this.pool = new ConnectionPool(client,
                conn -> conn.call(new SessionHello(sessionId), callTimeout), onNewConnection,
                address -> meta.reportUnreachable(address, sessionId));
        this.tables = tables;
        this.leaderCalls = new SlotLeaderCalls(tables::current, new SlotLeaderCalls.Transport() {
            @Override
            public <T> CompletableFuture<T> call(String server, Object request, Class<T> responseType) {
                if (LeaderWritesRequest.isWrite(request) && responseType == WriteResult.class) {
                    return connection(server).thenCompose(conn -> batcher(conn, callTimeout).submit(request))
                            .thenApply(responseType::cast);
                }
                return connection(server).thenCompose(conn -> conn.call(request, responseType, callTimeout));
            }
        }, scheduler, new Backoff(Duration.ofMillis(20), Duration.ofMillis(500), random), System::nanoTime,
                meta::refreshSoon, () -> closed);
    }

    private LeaderWriteBatcher batcher(RpcConnection conn, Duration callTimeout) {
        LeaderWriteBatcher b = batchers.get(conn);
        if (b != null) {
            return b;
        }
        b = new LeaderWriteBatcher(conn, callTimeout);
        LeaderWriteBatcher raced = batchers.putIfAbsent(conn, b);
        if (raced != null) {
            return raced;
        }
        // Outside the map's lock: on a closed connection this runs at once.
        conn.closeFuture().thenRun(() -> batchers.remove(conn));
        return b;
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

    @Override
    public <T> CompletableFuture<T> callLeader(int slot, LongFunction<Object> request, Class<T> responseType,
                                               Duration deadline) {
        return leaderCalls.callLeader(slot, request, responseType, deadline);
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }
}
