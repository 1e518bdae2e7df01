package dev.registry.common.meta;

import com.google.common.net.HostAndPort;
import dev.registry.common.protocol.DataServerUnreachable;
import dev.registry.common.protocol.GetSlotTableRequest;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.MetaRedirect;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.protocol.SlotTableChanged;
import dev.registry.common.rpc.Addresses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.serialize.Serializer;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A data or session server's link to the meta leader. It knows every meta address and finds
 * the leader itself: it keeps one connection, heartbeats on a fixed interval (which registers
 * the node and renews its lease), follows a follower's {@link MetaRedirect} to the leader, and
 * moves on to the next address when a meta is unreachable. It installs every newer slot table
 * (by term, then epoch) that meta pushes or returns, and hands the operational switches of
 * each answer to the listeners. While no meta leader answers, the node keeps its last table.
 *
 * <p>Threading: connection state under {@code lock}; switch listeners run one at a time, in
 * the order of the answers, on the meta link's threads.
 */
public final class MetaClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetaClient.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    /** Calls that time out in a row before the link gives up on a meta that accepts but does not answer. */
    private static final int TIMEOUTS_BEFORE_MOVING_ON = 2;
    /**
     * Until meta first answers, a failed heartbeat is retried after this (doubling up to
     * {@link #FIRST_CONTACT_RETRY_MAX_MILLIS}) instead of a whole interval: roles of one process
     * start side by side, and a node should not wait a second for a meta that came up 50 ms after it.
     */
    private static final long FIRST_CONTACT_RETRY_MILLIS = 50;
    private static final long FIRST_CONTACT_RETRY_MAX_MILLIS = 250;
    /** At most one unreachability report per data server in this long: a dead peer fails every reconnect. */
    private static final long REPORT_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

    private final RpcClient client;
    private final List<HostAndPort> addresses;
    private final Supplier<Object> heartbeat;
    private final SlotTableHolder tables;
    private final Duration interval;
    private final ScheduledExecutorService timer;
    private final List<BiConsumer<OperationalSwitches, OperationalSwitches>> switchListeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private RpcConnection current;
    private HostAndPort currentAddress;
    private CompletableFuture<RpcConnection> connecting;
    /** Where a follower said the leader is: the next connection goes there. */
    private HostAndPort leaderHint;
    private int nextAddress;
    private int timeoutsInARow;
    /** Failed heartbeats before meta first answered; guarded by {@code lock}. */
    private int failuresBeforeFirstAnswer;
    private CompletableFuture<HeartbeatResponse> inFlight;
    private boolean closed;
    private final Object switchLock = new Object();
    private OperationalSwitches switches = OperationalSwitches.NONE;
    private volatile HeartbeatResponse lastResponse;
    private volatile long lastSuccessNanos;
    private volatile String leaderAddress;
    /** When each data server was last reported unreachable (System.nanoTime); guarded by itself. */
    private final java.util.Map<String, Long> reportedAt = new java.util.HashMap<>();

    /**
     * @param metaAddresses every meta node's RPC address; the link finds the leader among them
     * @param heartbeat     builds the heartbeat message (carrying the node's known epoch) each time
     */
    public MetaClient(String name, List<HostAndPort> metaAddresses, Serializer serializer, SlotTableHolder tables,
                      Supplier<Object> heartbeat, Duration interval) {
        this(name, metaAddresses, serializer, tables, heartbeat, interval, null);
    }

    /** @param clusterTls mutual TLS towards the metas (this node's certificate, the cluster CA); null: plain TCP */
    public MetaClient(String name, List<HostAndPort> metaAddresses, Serializer serializer, SlotTableHolder tables,
                      Supplier<Object> heartbeat, Duration interval, dev.registry.common.tls.TlsSettings clusterTls) {
        if (metaAddresses.isEmpty()) {
            throw new IllegalArgumentException("at least one meta address is needed");
        }
        this.addresses = List.copyOf(metaAddresses);
        this.tables = tables;
        this.heartbeat = heartbeat;
        this.interval = interval;
        HandlerRegistry handlers = new HandlerRegistry()
                // A meta leader that lost its state asks members for the newest table they hold.
                .register(GetSlotTableRequest.class, (conn, msg) -> tables.current())
                .register(SlotTableChanged.class, (conn, msg) -> {
                    install(msg.slotTable(), "pushed by meta " + conn.remoteAddress());
                    return null;
                });
        RpcConfig config = RpcConfig.clientDefaults().withWorkerThreads(1)
                .withHeartbeat(Duration.ofSeconds(1), Duration.ofSeconds(10)).withTls(clusterTls);
        this.client = new RpcClient(name + "-meta", config, serializer, handlers, new ConnectionListener() { });
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory(name + "-meta-heartbeat", true));
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Sends a heartbeat to the leader now (or joins the one in flight); the future completes
     * with the leader's answer, its table installed already.
     */
    public CompletableFuture<HeartbeatResponse> beat() {
        CompletableFuture<HeartbeatResponse> f;
        synchronized (lock) {
            if (inFlight != null && !inFlight.isDone()) {
                return inFlight;
            }
            f = new CompletableFuture<>();
            inFlight = f;
        }
        Object message;
        try {
            message = heartbeat.get();
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
            return f;
        }
        callLeader(message, CALL_TIMEOUT, 1).whenComplete((r, e) -> {
            if (e != null) {
                log.debug("heartbeat to meta failed: {}", e.getMessage());
                f.completeExceptionally(e);
                retrySoonBeforeFirstAnswer();
            } else if (!(r instanceof HeartbeatResponse response)) {
                f.completeExceptionally(new RpcException(ErrorCode.BAD_REQUEST, "meta answered a heartbeat with " + r));
            } else {
                try {
                    onHeartbeatResponse(response);
                    f.complete(response);
                } catch (RuntimeException installError) {
                    log.warn("cannot use meta's heartbeat answer: {}", installError.getMessage());
                    f.completeExceptionally(installError);
                }
            }
        });
        return f;
    }

    /** A one-off call to the meta leader (e.g. announcing a graceful leave), following a redirect. */
    public CompletableFuture<Object> call(Object request) {
        return callLeader(request, CALL_TIMEOUT, 2);
    }

    /**
     * Tells the meta leader that this node's connection to data server {@code dataServer} closed
     * or could not be opened; the leader probes the server and removes it from the slot table at
     * once if it is dead, rather than when its lease runs out. Fire and forget, at most once a
     * second per server; a lost report only means the lease decides, as without reports.
     *
     * @param reporter this node, for meta's log (a session id or a data server address)
     */
    public void reportUnreachable(String dataServer, String reporter) {
        long now = System.nanoTime();
        synchronized (reportedAt) {
            Long last = reportedAt.get(dataServer);
            if (last != null && now - last < REPORT_GAP_NANOS) {
                return;
            }
            reportedAt.values().removeIf(at -> now - at >= REPORT_GAP_NANOS);
            reportedAt.put(dataServer, now);
        }
        callLeader(new DataServerUnreachable(dataServer, reporter), CALL_TIMEOUT, 1).whenComplete((r, e) -> {
            if (e != null) {
                log.debug("reporting data server {} unreachable to meta failed: {}", dataServer, e.getMessage());
            }
        });
    }

    /** Asks for the table now (e.g. after a NOT_LEADER answer with a newer epoch). */
    public void refreshSoon() {
        runSoon(0);
    }

    /** True when connected to some meta node (the leader, or a follower while there is none). */
    public boolean isConnected() {
        synchronized (lock) {
            return current != null && current.isActive();
        }
    }

    /** The meta address that last answered a heartbeat as leader, or null. */
    public String leaderAddress() {
        return leaderAddress;
    }

    /** The last heartbeat answer, or null. */
    public HeartbeatResponse lastResponse() {
        return lastResponse;
    }

    /** Nanos since the last successful heartbeat, or Long.MAX_VALUE if none yet. */
    public long nanosSinceLastSuccess() {
        return lastSuccessNanos == 0 ? Long.MAX_VALUE : System.nanoTime() - lastSuccessNanos;
    }

    /** Milliseconds since the last successful heartbeat, or Long.MAX_VALUE if none yet. */
    public long millisSinceLastSuccess() {
        long nanos = nanosSinceLastSuccess();
        return nanos == Long.MAX_VALUE ? Long.MAX_VALUE : nanos / 1_000_000;
    }

    /** Installs a newer table a peer relayed while meta was silent ({@link TableGossip}). */
    public void installFromPeer(SlotTable table) {
        install(table, "relayed by a peer (meta silent)");
    }

    /** The switches last received from meta ({@link OperationalSwitches#NONE} before any). */
    public OperationalSwitches switches() {
        synchronized (switchLock) {
            return switches;
        }
    }

    /**
     * Called with (previous, new) whenever meta's operational switches change, and once with
     * the first ones received (previous = {@link OperationalSwitches#NONE}). Must not block.
     */
    public void addSwitchListener(BiConsumer<OperationalSwitches, OperationalSwitches> listener) {
        switchListeners.add(listener);
    }

    // ---- leader finding ----

    private CompletableFuture<Object> callLeader(Object request, Duration timeout, int redirectsLeft) {
        return connection().thenCompose(conn -> conn.call(request, timeout).handle((r, e) -> {
            if (e != null) {
                onCallFailure(conn, e);
                return CompletableFuture.failedFuture(e);
            }
            synchronized (lock) {
                timeoutsInARow = 0;
            }
            if (r instanceof MetaRedirect redirect) {
                boolean leaderKnown = onRedirect(conn, redirect);
                if (leaderKnown && redirectsLeft > 0) {
                    return callLeader(request, timeout, redirectsLeft - 1);
                }
                return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "meta "
                        + conn.remoteAddress() + " is not the leader: " + redirect.reason()));
            }
            return CompletableFuture.completedFuture(r);
        }).thenCompose(x -> x));
    }

    /** The connection to use now: the open one, else a new one to the leader hint or the next address. */
    private CompletableFuture<RpcConnection> connection() {
        HostAndPort target;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new RpcException(ErrorCode.CONNECTION_CLOSED, "meta link closed"));
            }
            if (current != null && current.isActive()) {
                return CompletableFuture.completedFuture(current);
            }
            if (connecting != null && !connecting.isDone()) {
                return connecting;
            }
            target = leaderHint != null ? leaderHint : nextAddressLocked();
            leaderHint = null;
            connecting = new CompletableFuture<>();
            open(target, addresses.size(), connecting);
            return connecting;
        }
    }

    private HostAndPort nextAddressLocked() {
        HostAndPort a = addresses.get(nextAddress);
        nextAddress = (nextAddress + 1) % addresses.size();
        return a;
    }

    /** Connects to {@code target}, else to the following addresses, at most {@code attempts} in all. */
    private void open(HostAndPort target, int attempts, CompletableFuture<RpcConnection> result) {
        client.connect(target.getHost(), target.getPort()).whenComplete((conn, e) -> {
            if (e == null) {
                synchronized (lock) {
                    if (closed) {
                        conn.close();
                        result.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED, "meta link closed"));
                        return;
                    }
                    current = conn;
                    currentAddress = target;
                    timeoutsInARow = 0;
                }
                log.info("connected to meta {}", target);
                conn.closeFuture().thenRun(() -> onLost(conn));
                result.complete(conn);
                return;
            }
            log.debug("cannot connect to meta {}: {}", target, e.getMessage());
            HostAndPort next;
            synchronized (lock) {
                if (closed || attempts <= 1) {
                    result.completeExceptionally(e);
                    return;
                }
                next = nextAddressLocked();
            }
            open(next, attempts - 1, result);
        });
    }

    /** @return whether the redirect names a leader to try now */
    private boolean onRedirect(RpcConnection conn, MetaRedirect redirect) {
        HostAndPort leader = parse(redirect.leaderAddress());
        synchronized (lock) {
            if (current != conn) {
                return leader != null;
            }
            if (leader != null && leader.equals(currentAddress)) {
                leader = null; // the node we talk to is named leader but is not serving yet: try the others
            }
            if (leader == null && addresses.size() == 1) {
                return false; // nowhere else to go: wait on this connection for a leader to appear
            }
            leaderHint = leader;
            current = null;
        }
        log.info("meta {} is not the leader ({}); {}", conn.remoteAddress(), redirect.reason(),
                leader != null ? "moving to " + leader : "trying the next meta");
        conn.close();
        return leader != null;
    }

    private void onCallFailure(RpcConnection conn, Throwable e) {
        RpcException rpc = RpcException.unwrap(e);
        if (rpc == null || rpc.code() != ErrorCode.TIMEOUT) {
            return;
        }
        synchronized (lock) {
            if (current != conn || ++timeoutsInARow < TIMEOUTS_BEFORE_MOVING_ON) {
                return;
            }
            current = null;
            timeoutsInARow = 0;
        }
        log.warn("meta {} did not answer {} calls in a row; trying the next meta", conn.remoteAddress(),
                TIMEOUTS_BEFORE_MOVING_ON);
        conn.close();
    }

    private void onLost(RpcConnection conn) {
        boolean wasCurrent;
        synchronized (lock) {
            wasCurrent = current == conn;
            if (wasCurrent) {
                current = null;
            }
        }
        if (wasCurrent) {
            log.info("meta connection {} lost; looking for the meta leader", conn);
            runSoon(100);
        }
    }

    private void retrySoonBeforeFirstAnswer() {
        if (lastSuccessNanos != 0) {
            return;
        }
        long delay;
        synchronized (lock) {
            int shift = Math.min(failuresBeforeFirstAnswer++, 8);
            delay = Math.min(FIRST_CONTACT_RETRY_MAX_MILLIS, FIRST_CONTACT_RETRY_MILLIS << shift);
        }
        if (delay < interval.toMillis()) {
            runSoon(delay);
        }
    }

    private void runSoon(long delayMillis) {
        try {
            timer.schedule(this::beat, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("meta link stopped: not sending a heartbeat");
        }
    }

    private static HostAndPort parse(String address) {
        HostAndPort a = Addresses.hostAndPortOrNull(address);
        if (a == null && address != null && !address.isBlank()) {
            log.warn("meta named an unusable leader address '{}'", address);
        }
        return a;
    }

    // ---- answers ----

    private void onHeartbeatResponse(HeartbeatResponse response) {
        lastResponse = response;
        lastSuccessNanos = System.nanoTime();
        synchronized (lock) {
            leaderAddress = currentAddress == null ? null : currentAddress.toString();
        }
        if (response.slotTable() != null) {
            install(response.slotTable(), "from the heartbeat answer");
        }
        OperationalSwitches next = response.switches();
        if (next != null) {
            synchronized (switchLock) {
                OperationalSwitches previous = switches;
                if (!next.equals(previous)) {
                    switches = next;
                    for (BiConsumer<OperationalSwitches, OperationalSwitches> l : switchListeners) {
                        try {
                            l.accept(previous, next);
                        } catch (RuntimeException e) {
                            log.warn("applying operational switches {} failed", next, e);
                        }
                    }
                }
            }
        }
    }

    private void install(SlotTable table, String source) {
        if (table == null) {
            return;
        }
        SlotTable held = tables.current();
        if (tables.update(table)) {
            log.info("installed slot table term {} epoch {} {}", table.term(), table.epoch(), source);
        } else if (table.term() < held.term()) {
            // Fencing: a deposed meta leader (older term) cannot change this node's table.
            log.warn("refused slot table term {} epoch {} {}: this node holds term {} epoch {}", table.term(),
                    table.epoch(), source, held.term(), held.epoch());
        }
    }

    @Override
    public void close() {
        RpcConnection c;
        synchronized (lock) {
            closed = true;
            c = current;
            current = null;
        }
        timer.shutdownNow();
        if (c != null) {
            c.close();
        }
        client.close();
    }
}
