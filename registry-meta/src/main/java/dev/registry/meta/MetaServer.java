package dev.registry.meta;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.admin.SlotTableJson;
import dev.registry.common.protocol.DataServerHeartbeat;
import dev.registry.common.protocol.DataServerLeaving;
import dev.registry.common.protocol.DataServerUnreachable;
import dev.registry.common.protocol.GetSlotTableRequest;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.MetaRedirect;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.protocol.SessionServerHeartbeat;
import dev.registry.common.protocol.SlotTableChanged;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaderElection;
import dev.registry.meta.lease.LeaseLostException;
import dev.registry.meta.lease.LeaseRecord;
import dev.registry.meta.membership.DataServerSuspicions;
import dev.registry.meta.membership.IsolationGuard;
import dev.registry.meta.membership.Leases;
import dev.registry.meta.slot.SlotBalancer;
import dev.registry.meta.store.InMemoryMetaStore;
import dev.registry.meta.store.JdbcMetaStore;
import dev.registry.meta.store.MetaStore;
import dev.registry.meta.store.MetaStoreException;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Bootstrap of the meta role. Any number of meta nodes share one database; the node holding
 * the leader lease there ({@link LeaderElection}) is the leader, the others answer members
 * with a {@link MetaRedirect} to it. The leader keeps membership of data and session servers
 * by heartbeat leases, computes the slot table with {@link SlotBalancer} whenever data
 * membership changes, saves it in the database, and only then pushes it to every member
 * (members also pull it with each heartbeat). Every table carries the leader's term, so a
 * deposed leader's tables are refused by members and its database writes fail.
 *
 * <p>On winning the lease a node loads the saved table and switches, gives every data server
 * named in the table two lease periods to show up, and publishes the same assignments under
 * its term (epoch + 1), so a takeover moves no slot. It stops acting as leader before its
 * lease can expire when it cannot renew.
 *
 * <p>Threading: membership, table and switches are guarded by {@code this}; database writes and
 * table changes run on the single {@code meta-state} thread (so tables are saved and pushed in
 * order), never under the lock; pushes are sent after the lock is released.
 */
public final class MetaServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetaServer.class);
    private static final Duration MEMBER_CALL_TIMEOUT = Duration.ofSeconds(3);

    private final MetaServerConfig config;
    private final Clock clock;
    private final LongSupplier nanoTicker;
    private final MetaStore store;
    private final SlotBalancer balancer;
    private final Map<String, RpcConnection> memberConnections = new HashMap<>();
    /** Data servers draining: still heartbeating, but kept out of the table until they disconnect. */
    private final Map<String, RpcConnection> leaving = new HashMap<>();
    /** Heartbeats in a row in which a member reported another epoch than the leader's table. */
    private final Map<String, Integer> lagging = new HashMap<>();
    private Leases<String> dataLeases;
    private Leases<String> sessionLeases;
    /** Whether this leader hears any member at all (else it expires nobody); guarded by this. */
    private final IsolationGuard isolation;
    /** Data servers reported unreachable, and the probes that confirm it; guarded by this. */
    private final DataServerSuspicions suspicions;
    /** Data servers removed because a report and a probe said they were dead; guarded by this. */
    private long evictedOnReport;
    /** Last reported client connections per session (-1: takes no clients); guarded by this. */
    private final Map<String, Integer> sessionConnections = new java.util.HashMap<>();
    /** Admin HTTP address per session, as reported; guarded by this. */
    private final Map<String, String> memberAdminAddresses = new java.util.HashMap<>();
    private SlotTable table;
    private OperationalSwitches switches = new OperationalSwitches(0, List.of(), false);
    /** The term this node serves as leader in; 0 while following or taking over. */
    private long servingTerm;
    private boolean rebalanceQueued;
    private boolean adopting;
    /** The newest member table this leader reported as unknown to its database. */
    private SlotTable reportedForeignTable = SlotTable.initial(1);
    private RpcServer rpcServer;
    /** Connects to reported data servers to probe them; null when reports are off. */
    private RpcClient prober;
    private volatile AdminHttpServer admin;
    private ScheduledExecutorService timer;
    private ScheduledExecutorService state;
    private volatile LeaderElection election;
    private String address;

    /** A meta with the store its config names: the database, or memory when none is configured. */
    public MetaServer(MetaServerConfig config, Clock clock) {
        this(config, clock, storeFor(config, clock), System::nanoTime);
    }

    /**
     * @param store      where the lease, table and switches live (closed with this server)
     * @param nanoTicker monotonic clock for the leadership deadline
     */
    public MetaServer(MetaServerConfig config, Clock clock, MetaStore store, LongSupplier nanoTicker) {
        this.config = config;
        this.clock = clock;
        this.nanoTicker = nanoTicker;
        this.store = store;
        this.balancer = new SlotBalancer(config.replicas());
        this.dataLeases = new Leases<>(config.dataLease());
        this.sessionLeases = new Leases<>(config.sessionLease());
        // Members heartbeat every second: a leader hearing none of them for half a lease is cut off.
        Duration shortestLease = config.dataLease().compareTo(config.sessionLease()) < 0 ? config.dataLease()
                : config.sessionLease();
        this.isolation = new IsolationGuard(shortestLease.dividedBy(2), clock.millis());
        // A probe that reached a server silences reports about it for one heartbeat interval.
        this.suspicions = new DataServerSuspicions(Duration.ofSeconds(1));
        this.table = SlotTable.initial(config.slotCount());
    }

    private static MetaStore storeFor(MetaServerConfig config, Clock clock) {
        if (config.database() == null) {
            return new InMemoryMetaStore(clock::millis);
        }
        // A statement may take at most half a lease: a leader that waits longer must stop anyway.
        return new JdbcMetaStore(config.database(), config.leaderLease().leaseDuration().dividedBy(2));
    }

    /**
     * Prepares the database (fails with a clear message if it is unreachable, refuses the
     * credentials, or holds a table of another slot count), opens the ports and runs for leader.
     */
    public MetaServer start() {
        store.init();
        checkSlotCount(store.loadSlotTable());
        HandlerRegistry handlers = new HandlerRegistry()
                .register(DataServerHeartbeat.class, this::onDataHeartbeat)
                .register(SessionServerHeartbeat.class, this::onSessionHeartbeat)
                .register(GetSlotTableRequest.class, this::onGetSlotTable)
                .register(DataServerLeaving.class, this::onDataLeaving)
                .register(DataServerUnreachable.class, this::onDataUnreachable);
        rpcServer = new RpcServer("meta", config.rpc(), WireClasses.serializer(), handlers, new ConnectionListener() {
            @Override
            public void onDisconnected(RpcConnection connection) {
                boolean changed = false;
                synchronized (MetaServer.this) {
                    memberConnections.values().remove(connection);
                    // A leaving server that disconnected has exited: it leaves the membership too (else it
                    // would be put back into the table until its lease ran out); if it comes back it is new.
                    for (var it = leaving.entrySet().iterator(); it.hasNext(); ) {
                        var e = it.next();
                        if (e.getValue() == connection) {
                            it.remove();
                            dataLeases.remove(e.getKey());
                            suspicions.forget(e.getKey());
                            changed = true;
                        }
                    }
                }
                if (changed) {
                    requestRebalance();
                }
            }
        });
        rpcServer.start(config.bindHost(), config.port());
        address = config.advertiseHost() + ":" + rpcServer.port();
        if (!config.dataProbeTimeout().isZero()) {
            prober = new RpcClient("meta-probe", RpcConfig.clientDefaults().withWorkerThreads(1)
                    .withConnectTimeout(config.dataProbeTimeout()).withTls(config.rpc().tls()), // cluster mTLS, if on
                    WireClasses.serializer(), new HandlerRegistry(),
                    new ConnectionListener() { });
        }
        ScheduledThreadPoolExecutor stateThread = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("meta-state", true));
        stateThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // retries die with the server
        state = stateThread;
        timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meta-leases", true));
        timer.scheduleWithFixedDelay(this::expireLeases, 200, 200, TimeUnit.MILLISECONDS);
        long renew = config.leaderLease().renewInterval().toMillis();
        state.scheduleWithFixedDelay(this::reloadSwitches, renew, renew, TimeUnit.MILLISECONDS);
        election = new LeaderElection(address + "/" + UUID.randomUUID(), address, store, config.leaderLease(),
                nanoTicker, new LeaderElection.Listener() {
                    @Override
                    public void onElected(long term) {
                        onState(() -> takeOver(term));
                    }

                    @Override
                    public void onDeposed(long term, String reason) {
                        onState(() -> stepDown(term, reason));
                    }
                });
        election.start();
        if (config.adminPort() >= 0) {
            admin = new AdminHttpServer("meta", config.adminToken(), config.rpc().tls()).serveConsole(); // HTTPS with the node certificate
            registerAdminRoutes(admin);
            admin.start(config.adminBindHost(), config.adminPort());
        }
        log.info("meta server {} started: rpc port {}, admin http port {}; database {}; lease {} ms, renewed every {} ms",
                address, rpcServer.port(), admin == null ? "off" : admin.port(), store.description(),
                config.leaderLease().leaseDuration().toMillis(), renew);
        return this;
    }

    private void checkSlotCount(Optional<SlotTable> saved) {
        if (saved.isPresent() && saved.get().slotCount() != config.slotCount()) {
            throw new IllegalStateException("the meta database " + store.description() + " holds a slot table of "
                    + saved.get().slotCount() + " slots, but this node runs with " + config.slotCount()
                    + ": the slot count of a cluster never changes (fix --slots or use another database)");
        }
    }

    // ---- leadership ----

    private void onState(Runnable task) {
        try {
            state.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("meta state task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("meta stopping: task dropped");
        }
    }

    /** On the state thread: load the saved table and switches and start serving under {@code term}. */
    private void takeOver(long term) {
        if (!election.isLeaderOf(term)) {
            return;
        }
        SlotTable saved;
        OperationalSwitches savedSwitches;
        try {
            saved = store.loadSlotTable().orElse(null);
            savedSwitches = store.loadSwitches();
        } catch (MetaStoreException e) {
            log.warn("taking over as leader of term {}: cannot read the database, retrying: {}", term, e.getMessage());
            retryLater(() -> takeOver(term));
            return;
        }
        if (saved != null && saved.slotCount() != config.slotCount()) {
            log.error("the database holds a table of {} slots but this node runs with {}: giving up the leadership",
                    saved.slotCount(), config.slotCount());
            election.resign("slot count differs from the database's table");
            return;
        }
        SlotTable base = saved != null ? saved : SlotTable.initial(config.slotCount());
        // Same assignments under this term: members install it, nothing moves.
        SlotTable first = base.withTermAndEpoch(term, base.epoch() + 1);
        if (!save(first, term)) {
            if (election.isLeaderOf(term)) {
                retryLater(() -> takeOver(term));
            }
            return;
        }
        long now = clock.millis();
        synchronized (this) {
            if (!election.isLeaderOf(term)) {
                return;
            }
            dataLeases = new Leases<>(config.dataLease());
            sessionLeases = new Leases<>(config.sessionLease());
            if (saved != null) {
                // A running cluster: its sessions find this leader one by one. Until each had a lease
                // to do so, the list may miss live ones, and members must not take it as complete
                // (a new slot leader would serve reads before such a session synced: chaos seed 5028).
                sessionLeases.startListening(now);
            }
            memberConnections.clear();
            leaving.clear();
            lagging.clear();
            suspicions.clear();
            // Servers of the saved table get two lease periods to find this leader before they are
            // dropped: they first have to notice the old leader is gone.
            long grace = now + config.dataLease().toMillis();
            first.servers().forEach(s -> dataLeases.renew(s, grace));
            isolation.restart(now);
            table = first;
            switches = savedSwitches;
            servingTerm = term;
        }
        log.info("meta {} leads in term {}: slot table epoch {} (saved epoch {}, term {}), data servers {}, "
                        + "switches version {}", address, term, first.epoch(), base.epoch(), base.term(), first.servers(),
                savedSwitches.version());
        requestRebalance();
    }

    private void stepDown(long term, String reason) {
        synchronized (this) {
            if (servingTerm == 0) {
                return;
            }
            servingTerm = 0;
            memberConnections.clear();
            leaving.clear();
            lagging.clear();
            suspicions.clear();
            dataLeases = new Leases<>(config.dataLease());
            sessionLeases = new Leases<>(config.sessionLease());
            rebalanceQueued = false;
        }
        log.info("meta {} no longer leads (term {}: {}); members are redirected", address, term, reason);
    }

    private void retryLater(Runnable task) {
        try {
            state.schedule(task, config.leaderLease().renewInterval().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("meta stopping: retry dropped");
        }
    }

    /** Caller holds the lock. */
    private boolean servingLocked() {
        LeaderElection e = election;
        return servingTerm != 0 && e != null && e.isLeaderOf(servingTerm);
    }

    /** Null while this node serves as leader; else what to answer a member. Caller holds the lock. */
    private Object notServingAnswerLocked() {
        if (servingLocked()) {
            return null;
        }
        if (election == null) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "meta is starting; retry");
        }
        if (election.isLeader()) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "meta " + address + " is taking over as leader; retry");
        }
        LeaseRecord seen = election.lastSeen();
        String leader = seen.holderAddress();
        if (leader != null && (leader.equals(address) || election.candidateId().equals(seen.holderId()))) {
            leader = null; // this node's own lapsed lease: no leader known
        }
        return new MetaRedirect(leader, seen.term(), leader == null ? "no meta leader right now (election pending)"
                : "meta " + address + " is a follower");
    }

    // ---- members ----

    private Object onDataHeartbeat(RpcConnection connection, DataServerHeartbeat hb) {
        String member = requireAddress(hb.address());
        boolean joined;
        HeartbeatResponse response;
        synchronized (this) {
            Object notServing = notServingAnswerLocked();
            if (notServing != null) {
                return notServing;
            }
            memberConnections.put(member, connection);
            heardLocked();
            joined = dataLeases.renew(member, clock.millis());
            if (hb.adminAddress() != null) {
                memberAdminAddresses.put(member, hb.adminAddress());
            }
            suspicions.heard(member, clock.millis());
            response = response(hb.knownEpoch());
        }
        if (joined) {
            log.info("data server {} joined", member);
            requestRebalance();
        }
        checkMemberTable(connection, member, hb.knownEpoch(), response.epoch());
        return response;
    }

    private Object onSessionHeartbeat(RpcConnection connection, SessionServerHeartbeat hb) {
        String member = requireAddress(hb.address());
        HeartbeatResponse response;
        synchronized (this) {
            Object notServing = notServingAnswerLocked();
            if (notServing != null) {
                return notServing;
            }
            memberConnections.put(member, connection);
            heardLocked();
            if (sessionLeases.renew(member, clock.millis())) {
                log.info("session server {} joined", member);
            }
            sessionConnections.put(member, hb.clientConnections());
            if (hb.adminAddress() != null) {
                memberAdminAddresses.put(member, hb.adminAddress());
            }
            response = response(hb.knownEpoch());
        }
        checkMemberTable(connection, member, hb.knownEpoch(), response.epoch());
        return response;
    }

    private Object onGetSlotTable(RpcConnection connection, GetSlotTableRequest request) {
        synchronized (this) {
            Object notServing = notServingAnswerLocked();
            return notServing != null ? notServing : table;
        }
    }

    private Object onDataLeaving(RpcConnection connection, DataServerLeaving request) {
        String member = requireAddress(request.address());
        HeartbeatResponse response;
        synchronized (this) {
            Object notServing = notServingAnswerLocked();
            if (notServing != null) {
                return notServing;
            }
            leaving.put(member, connection);
            suspicions.forget(member);
            response = response(Long.MIN_VALUE);
        }
        log.info("data server {} is leaving; handing its slots to the others", member);
        requestRebalance();
        return response;
    }

    /**
     * A session or data server lost its connection to a data server, or could not open one. The
     * leader probes that server itself; only if the probe fails too does it go, at once, the way
     * an expired lease would take it (its slots fail over to their followers). See
     * {@link DataServerSuspicions} for why a report alone is never enough.
     */
    private Object onDataUnreachable(RpcConnection connection, DataServerUnreachable report) {
        String suspect = requireAddress(report.address());
        String reporter = report.reporter() == null ? String.valueOf(connection.remoteAddress()) : report.reporter();
        boolean probe;
        long term;
        synchronized (this) {
            Object notServing = notServingAnswerLocked();
            if (notServing != null) {
                return notServing;
            }
            if (prober == null) {
                return Boolean.FALSE; // reports are off: leases decide
            }
            boolean member = dataLeases.members().contains(suspect) && !leaving.containsKey(suspect);
            probe = suspicions.reported(suspect, reporter, member, clock.millis());
            term = servingTerm;
        }
        if (probe) {
            log.info("{} cannot reach data server {}; probing it", reporter, suspect);
            probe(suspect, reporter, term);
        }
        return probe;
    }

    /** Connects to {@code server} and pings it; the outcome always reaches {@link #onProbed}. */
    private void probe(String server, String reporter, long term) {
        int colon = server.lastIndexOf(':');
        Duration timeout = config.dataProbeTimeout();
        CompletableFuture<Void> probed;
        try {
            int port = Integer.parseInt(server.substring(colon + 1));
            probed = prober.connect(server.substring(0, colon), port)
                    .thenCompose(conn -> conn.ping(timeout).whenComplete((ok, e) -> conn.close()));
        } catch (RuntimeException e) {
            probed = CompletableFuture.failedFuture(e); // a bad port in the heartbeat, or the prober closed
        }
        probed.whenComplete((ok, error) -> onProbed(server, reporter, term, error));
    }

    private void onProbed(String server, String reporter, long term, Throwable error) {
        boolean reachable = error == null;
        synchronized (this) {
            if (!servingLocked() || servingTerm != term) {
                return;
            }
            long now = clock.millis();
            if (suspicions.probed(server, reachable, now) == DataServerSuspicions.Verdict.KEEP) {
                if (reachable) {
                    log.info("data server {} answers meta's probe: keeping it ({} could not reach it)", server, reporter);
                } else {
                    log.info("meta's probe of data server {} failed but its heartbeats still arrive: keeping it", server);
                }
                return;
            }
            if (!isolation.mayExpire(now)) {
                log.warn("meta's probe of data server {} failed, but this meta hears no member at all: leaving it to "
                        + "its lease", server);
                return;
            }
            if (!dataLeases.remove(server)) {
                return;
            }
            memberConnections.remove(server);
            leaving.remove(server);
            lagging.remove(server);
            evictedOnReport++;
        }
        log.warn("data server {} is unreachable ({} reported it, meta's probe failed: {}); removing it from the slot "
                + "table now instead of after its lease", server, reporter, rootMessage(error));
        requestRebalance();
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t == null ? "none" : t.getMessage();
    }

    /**
     * A member with a newer epoch, or one that keeps another epoch although it was sent the
     * table (it refuses it: it holds a higher term), holds a table this leader does not know.
     */
    private void checkMemberTable(RpcConnection connection, String member, long knownEpoch, long epoch) {
        boolean fetch;
        synchronized (this) {
            int behind = knownEpoch == epoch ? 0 : lagging.getOrDefault(member, 0) + 1;
            if (behind == 0) {
                lagging.remove(member);
            } else {
                lagging.put(member, behind);
            }
            fetch = knownEpoch > epoch || behind >= 3;
        }
        if (fetch) {
            adoptNewerTable(connection, knownEpoch);
        }
    }

    private static String requireAddress(String address) {
        if (address == null || address.isBlank() || address.lastIndexOf(':') < 1) {
            throw new IllegalArgumentException("heartbeat needs a host:port address, got '" + address + "'");
        }
        return address;
    }

    /** Caller holds the lock. The table goes along whenever the member's epoch differs. */
    private HeartbeatResponse response(long knownEpoch) {
        return new HeartbeatResponse(table.epoch(), knownEpoch != table.epoch() ? table : null,
                new ArrayList<>(dataLeases.members()), new ArrayList<>(sessionLeases.members()), servingTerm, switches)
                .withSessionConnections(liveSessionConnectionsLocked())
                .withSessionAdminAddresses(liveAdminAddressesLocked(sessionLeases.members()))
                .withDataAdminAddresses(liveAdminAddressesLocked(dataLeases.members()))
                .withMetaAdminAddress(adminAddress())
                .withSessionListIncomplete(!sessionLeases.holdsEveryLiveMember(clock.millis()));
    }

    /** Caller holds the lock. Every live session; -1 for one that has not reported a count. */
    private java.util.HashMap<String, Integer> liveSessionConnectionsLocked() {
        java.util.HashMap<String, Integer> out = new java.util.HashMap<>();
        for (String session : sessionLeases.members()) {
            out.put(session, sessionConnections.getOrDefault(session, -1));
        }
        return out;
    }

    /** Caller holds the lock. The admin addresses of these live members (those that reported one). */
    private java.util.HashMap<String, String> liveAdminAddressesLocked(java.util.Collection<String> members) {
        java.util.HashMap<String, String> out = new java.util.HashMap<>();
        for (String member : members) {
            String admin = memberAdminAddresses.get(member);
            if (admin != null) {
                out.put(member, admin);
            }
        }
        return out;
    }

    /** Where members reach this node's admin port (null while it is not up, or off). */
    private String adminAddress() {
        AdminHttpServer a = admin;
        return a == null || a.port() <= 0 ? null
                : a.advertisedAddress(config.adminBindHost(), config.bindHost(), config.advertiseHost());
    }

    /** Caller holds the lock. A member was heard: after an isolation every lease restarts from now. */
    private void heardLocked() {
        long now = clock.millis();
        long quiet = isolation.quietMillis(now);
        if (isolation.heard(now)) {
            dataLeases.members().forEach(m -> dataLeases.renew(m, now));
            sessionLeases.members().forEach(m -> sessionLeases.renew(m, now));
            log.warn("members heard again after {} ms of silence: every lease restarts now", quiet);
        }
    }

    private void expireLeases() {
        boolean changed;
        synchronized (this) {
            if (!servingLocked()) {
                return;
            }
            long now = clock.millis();
            boolean wasIsolated = isolation.isolated();
            if (!isolation.mayExpire(now)) {
                if (!wasIsolated) {
                    log.warn("no data server or session heard for {} ms: this meta is more likely cut off than all of "
                            + "them dead; expiring no lease until one is heard", isolation.quietMillis(now));
                }
                return;
            }
            Set<String> goneData = dataLeases.expire(now);
            Set<String> goneSessions = sessionLeases.expire(now);
            goneData.forEach(a -> log.warn("data server {} missed its lease; removing it from the slot table", a));
            goneSessions.forEach(a -> log.warn("session server {} missed its lease", a));
            goneData.forEach(memberConnections::remove);
            goneData.forEach(memberAdminAddresses::remove);
            goneData.forEach(leaving::remove);
            goneData.forEach(suspicions::forget);
            goneSessions.forEach(memberConnections::remove);
            goneSessions.forEach(sessionConnections::remove);
            goneSessions.forEach(memberAdminAddresses::remove);
            changed = !goneData.isEmpty();
        }
        if (changed) {
            requestRebalance();
        }
    }

    // ---- table changes (state thread) ----

    /** Recomputes the table on the state thread soon; requests made meanwhile fold into one run. */
    private void requestRebalance() {
        synchronized (this) {
            if (rebalanceQueued) {
                return;
            }
            rebalanceQueued = true;
        }
        onState(this::rebalanceAndPublish);
    }

    private void rebalanceAndPublish() {
        SlotTable current;
        SlotTable next;
        long term;
        synchronized (this) {
            rebalanceQueued = false;
            if (!servingLocked()) {
                return;
            }
            term = servingTerm;
            current = table;
            next = rebalanced(current);
        }
        if (next.epoch() != current.epoch()) {
            if (!publish(next, term) && election.isLeaderOf(term)) {
                retryLater(this::requestRebalance);
            }
        }
    }

    /** The balancer's table for the live, non-leaving data servers. Caller holds the lock. */
    private SlotTable rebalanced(SlotTable from) {
        Set<String> members = new TreeSet<>(dataLeases.members());
        members.removeAll(leaving.keySet());
        if (members.isEmpty() && !leaving.isEmpty()) {
            return from; // never hand the last server's slots to nobody
        }
        return balancer.balance(from, members);
    }

    /** Saves {@code next}, then installs and pushes it. State thread only. False if it was not saved. */
    private boolean publish(SlotTable next, long term) {
        if (!save(next, term)) {
            return false;
        }
        SlotTable previous;
        synchronized (this) {
            if (servingTerm != term || !election.isLeaderOf(term)) {
                log.warn("saved slot table epoch {} but lost the leadership before publishing it", next.epoch());
                return true;
            }
            previous = table;
            table = next;
        }
        // Migration progress for operators: how much of the table this change moves.
        int leadersMoved = 0;
        int followersChanged = 0;
        for (int slot = 0; slot < next.slotCount(); slot++) {
            var before = previous.slot(slot);
            var after = next.slot(slot);
            if (!java.util.Objects.equals(before.leader(), after.leader())) {
                leadersMoved++;
            }
            if (!before.followers().equals(after.followers())) {
                followersChanged++;
            }
        }
        log.info("slot table term {} epoch {} for data servers {}: {} of {} slots change leader, {} change followers",
                next.term(), next.epoch(), next.servers(), leadersMoved, next.slotCount(), followersChanged);
        push(next);
        return true;
    }

    /** Writes the table in {@code term}; a refused write (lease lost) deposes this node. State thread only. */
    private boolean save(SlotTable next, long term) {
        try {
            store.saveSlotTable(election.candidateId(), term, next);
            return true;
        } catch (LeaseLostException e) {
            log.warn("not publishing slot table epoch {}: {}", next.epoch(), e.getMessage());
            election.onLeaseLost("the database refused a write in term " + term);
            return false;
        } catch (MetaStoreException e) {
            log.warn("cannot save slot table epoch {}, retrying: {}", next.epoch(), e.getMessage());
            return false;
        }
    }

    private void push(SlotTable t) {
        List<RpcConnection> targets;
        synchronized (this) {
            targets = new ArrayList<>(memberConnections.values());
        }
        SlotTableChanged message = new SlotTableChanged(t);
        for (RpcConnection c : targets) {
            c.send(message);
        }
    }

    /**
     * A member knows a newer table than this leader. Without a database this node restarted and
     * lost its table: take the member's as the starting point, so no slot moves, and continue its
     * epochs under a term above the member's. With a database this cannot happen to a correct
     * cluster (every table is saved before it is pushed): the database was reset or this node
     * points at the wrong one, and taking the cluster over from it could split the cluster, so
     * the leader only reports it.
     */
    private void adoptNewerTable(RpcConnection member, long memberEpoch) {
        synchronized (this) {
            if (adopting) {
                return;
            }
            adopting = true;
        }
        member.call(new GetSlotTableRequest(), SlotTable.class, MEMBER_CALL_TIMEOUT)
                .whenComplete((t, e) -> onState(() -> adopt(t, e, member, memberEpoch)));
    }

    private void adopt(SlotTable theirs, Throwable error, RpcConnection member, long memberEpoch) {
        long term;
        long ourEpoch;
        synchronized (this) {
            adopting = false;
            if (error != null) {
                log.warn("cannot fetch the newer slot table (epoch {}) from {}: {}", memberEpoch,
                        member.remoteAddress(), error.getMessage());
                return;
            }
            if (!servingLocked() || theirs == null || !theirs.isNewerThan(table)
                    || theirs.slotCount() != table.slotCount()) {
                return;
            }
            term = servingTerm;
            ourEpoch = table.epoch();
        }
        if (store.persistent()) {
            synchronized (this) {
                if (!theirs.isNewerThan(reportedForeignTable)) {
                    return;
                }
                reportedForeignTable = theirs;
            }
            log.error("member {} holds slot table term {} epoch {}, newer than anything the database {} holds (term {} "
                            + "epoch {}): the database was reset or this meta uses the wrong one. Members refuse this "
                            + "leader's tables while theirs is newer; point every meta at the cluster's database, or "
                            + "restart the data and session servers so that they take this leader's table.",
                    member.remoteAddress(), theirs.term(), theirs.epoch(), store.description(), term, ourEpoch);
            return;
        }
        log.warn("adopting slot table term {} epoch {} from {} (this leader had term {} epoch {})", theirs.term(),
                theirs.epoch(), member.remoteAddress(), term, ourEpoch);
        if (theirs.term() >= term) {
            try {
                long raised = election.raiseTerm(term, theirs.term());
                synchronized (this) {
                    if (servingTerm != term) {
                        return;
                    }
                    servingTerm = raised;
                }
                term = raised;
            } catch (LeaseLostException e) {
                election.onLeaseLost(e.getMessage());
                return;
            } catch (MetaStoreException e) {
                log.warn("cannot raise the term to adopt the member's table: {}", e.getMessage());
                return;
            }
        }
        SlotTable next;
        synchronized (this) {
            // Its servers may not have found this node yet: give them the takeover grace, so nothing moves.
            long now = clock.millis();
            long grace = now + config.dataLease().toMillis();
            theirs.servers().forEach(s -> dataLeases.renew(s, grace));
            // The cluster ran before this leader knew it: its sessions may not all have heartbeated yet.
            sessionLeases.startListening(now);
            SlotTable base = theirs.withTermAndEpoch(term, Math.max(theirs.epoch(), ourEpoch));
            next = rebalanced(base);
            if (next.epoch() == base.epoch()) {
                next = base.withEpoch(base.epoch() + 1);
            }
        }
        publish(next, term);
    }

    // ---- switches ----

    /** The leader picks up switches another meta node's admin endpoint changed. State thread. */
    private void reloadSwitches() {
        synchronized (this) {
            if (!servingLocked()) {
                return;
            }
        }
        try {
            OperationalSwitches stored = store.loadSwitches();
            adoptSwitches(stored);
        } catch (MetaStoreException e) {
            log.debug("cannot reload the operational switches: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("reloading the operational switches failed", e);
        }
    }

    private synchronized void adoptSwitches(OperationalSwitches stored) {
        if (stored.version() != switches.version()) {
            log.info("operational switches now {}", stored);
            switches = stored;
        }
    }

    /** Writes the change to the database (any meta node may), and serves it at once if leading. */
    private OperationalSwitches changeSwitches(UnaryOperator<OperationalSwitches> change) {
        OperationalSwitches stored = store.updateSwitches(change);
        adoptSwitches(stored);
        return stored;
    }

    // ---- accessors ----

    /** The leader's current table; on a follower the last table it served (initial if never). */
    public synchronized SlotTable slotTable() {
        return table;
    }

    public synchronized Set<String> dataServers() {
        return dataLeases.members();
    }

    public synchronized Set<String> sessionServers() {
        return sessionLeases.members();
    }

    /** False while this leader, newly in charge of a running cluster, may not have heard every live session. */
    public synchronized boolean sessionListComplete() {
        return sessionLeases.holdsEveryLiveMember(clock.millis());
    }

    /** True while this node serves as the meta leader. */
    public synchronized boolean isLeader() {
        return servingLocked();
    }

    /** The term this node leads in, or 0. */
    public synchronized long term() {
        return servingLocked() ? servingTerm : 0;
    }

    /** The leader's address as this node last read it from the lease (may be stale), or null. */
    public String leaderAddress() {
        return election == null ? null : election.lastSeen().holderAddress();
    }

    public synchronized OperationalSwitches switches() {
        return switches;
    }

    /** This node's meta RPC address {@code host:port}, as written into the lease. */
    public String address() {
        return address;
    }

    public int port() {
        return rpcServer.port();
    }

    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    // ---- admin ----

    private void registerAdminRoutes(AdminHttpServer http) {
        dev.registry.common.admin.CommonAdminRoutes.register(http, "meta");
        http.get("/health", r -> AdminResponse.ok(Map.of("status", "UP", "role", "meta")));
        // A follower is healthy too: ready means this node takes part (it can reach the database).
        http.get("/health/ready", r -> {
            boolean databaseReachable = election.lastError() == null;
            Map<String, Object> out = leaderInfo();
            out.put("ready", databaseReachable);
            return new AdminResponse(databaseReachable ? 200 : 503, out, null);
        });
        http.get("/api/v1/leader", r -> AdminResponse.ok(leaderInfo()));
        http.get("/api/v1/slot-table", r -> {
            if (isLeader()) {
                return AdminResponse.ok(tableJson(slotTable(), "leader"));
            }
            Optional<SlotTable> saved = store.loadSlotTable(); // a follower shows what a new leader would start from
            return AdminResponse.ok(tableJson(saved.orElse(SlotTable.initial(config.slotCount())), "database"));
        });
        http.get("/api/v1/members", r -> {
            Map<String, Object> out = new LinkedHashMap<>();
            synchronized (this) {
                out.put("leader", servingLocked());
                out.put("slotTableEpoch", table.epoch());
                long now = clock.millis();
                out.put("dataServers", dataLeases.members().stream().map(d -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("address", d);
                    m.put("state", leaving.containsKey(d) ? "LEAVING" : "UP");
                    m.put("slotsLed", table.slotsLedBy(d).size());
                    m.put("slotsFollowed", table.slotsFollowedBy(d).size());
                    m.put("lastHeartbeatMillisAgo", now - dataLeases.lastRenewal(d));
                    return m;
                }).toList());
                out.put("sessionListComplete", sessionLeases.holdsEveryLiveMember(now));
                out.put("sessionServers", sessionLeases.members().stream().map(s -> {
                    int clients = sessionConnections.getOrDefault(s, -1);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("address", s);
                    m.put("state", clients >= 0 ? "UP" : "NOT_TAKING_CLIENTS");
                    m.put("clientConnections", Math.max(clients, 0));
                    m.put("lastHeartbeatMillisAgo", now - sessionLeases.lastRenewal(s));
                    return m;
                }).toList());
            }
            out.put("metaServers", metaMembers());
            return AdminResponse.ok(out);
        });
        http.get("/api/v1/switches", r -> AdminResponse.ok(switchesJson(store.loadSwitches())));
        http.post("/api/v1/client-off", r -> {
            String ip = requireIp(r.requireParam("ip"));
            log.warn("client-off for ip {} by an admin request", ip);
            return AdminResponse.ok(switchesJson(changeSwitches(s -> s.withClientOff(ip, true))));
        });
        http.post("/api/v1/client-on", r -> {
            String ip = requireIp(r.requireParam("ip"));
            log.info("client-on for ip {} by an admin request", ip);
            return AdminResponse.ok(switchesJson(changeSwitches(s -> s.withClientOff(ip, false))));
        });
        http.post("/api/v1/push/stop", r -> {
            log.warn("pushes stopped on every session by an admin request");
            return AdminResponse.ok(switchesJson(changeSwitches(s -> s.withPushStopped(true))));
        });
        http.post("/api/v1/push/resume", r -> {
            log.info("pushes resumed on every session by an admin request");
            return AdminResponse.ok(switchesJson(changeSwitches(s -> s.withPushStopped(false))));
        });
        http.get("/metrics", r -> {
            StringBuilder out = new StringBuilder();
            rpcServer.metrics().appendPrometheus(out);
            dev.registry.common.metrics.JvmMetrics.appendPrometheus(out);
            LeaderElection e = election;
            gauge(out, "registry_meta_lease_remaining_millis", e == null ? 0 : Math.max(0, e.remainingMillis()));
            synchronized (this) {
                gauge(out, "registry_meta_leader", servingLocked() ? 1 : 0);
                gauge(out, "registry_meta_term", servingLocked() ? servingTerm : 0);
                gauge(out, "registry_meta_data_servers", dataLeases.members().size());
                gauge(out, "registry_meta_session_servers", sessionLeases.members().size());
                gauge(out, "registry_meta_slot_table_epoch", table.epoch());
                gauge(out, "registry_meta_isolated", isolation.isolated() ? 1 : 0);
                counter(out, "registry_meta_data_servers_evicted_on_report_total", evictedOnReport);
            }
            return AdminResponse.text(200, out.toString(), "text/plain; version=0.0.4");
        });
    }

    /** Meta nodes as the database saw them: a node that stopped trying the lease for a lease time is DOWN. */
    private List<Map<String, Object>> metaMembers() {
        String leader = isLeader() ? address : leaderAddress();
        List<MetaStore.MetaNodePresence> nodes;
        try {
            nodes = store.metaNodes();
        } catch (RuntimeException e) {
            log.debug("listing meta nodes failed: {}", e.getMessage());
            nodes = List.of();
        }
        if (nodes.isEmpty()) {
            nodes = List.of(new MetaStore.MetaNodePresence(address, 0));
        }
        long downAfter = config.leaderLease().leaseDuration().toMillis();
        return nodes.stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", n.address());
            m.put("state", n.lastSeenMillisAgo() > downAfter ? "DOWN" : n.address().equals(leader) ? "LEADER" : "FOLLOWER");
            m.put("lastSeenMillisAgo", n.lastSeenMillisAgo());
            return m;
        }).toList();
    }

    private Map<String, Object> leaderInfo() {
        Map<String, Object> out = new LinkedHashMap<>();
        LeaseRecord seen = election.lastSeen();
        out.put("role", "meta");
        out.put("self", address);
        out.put("leader", isLeader());
        out.put("leaderAddress", seen.holderAddress());
        out.put("term", seen.term());
        out.put("leadershipLeftMillis", election.remainingMillis());
        out.put("database", store.description());
        out.put("databaseError", election.lastError());
        return out;
    }

    private static Map<String, Object> tableJson(SlotTable t, String source) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("term", t.term());
        out.put("source", source);
        out.putAll(SlotTableJson.of(t, null));
        return out;
    }

    private static Map<String, Object> switchesJson(OperationalSwitches s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", s.version());
        out.put("clientOffIps", s.clientOffIps());
        out.put("pushStopped", s.pushStopped());
        return out;
    }

    private static String requireIp(String ip) {
        if (!com.google.common.net.InetAddresses.isInetAddress(ip)) {
            throw new IllegalArgumentException("ip must be an IPv4 or IPv6 address, got '" + ip + "'");
        }
        return ip;
    }

    private static void gauge(StringBuilder out, String name, long value) {
        out.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, long value) {
        out.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
    }

    /**
     * Releases the lease if leading (a follower takes over within one renew interval), then
     * stops. Not synchronized: closing waits for I/O threads, whose disconnect callbacks take the lock.
     */
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (election != null) {
            election.close();
        }
        if (state != null) {
            // No interrupt: an interrupted JDBC call can close an embedded database's file.
            state.shutdown();
            try {
                state.awaitTermination(config.leaderLease().leaseDuration().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (prober != null) {
            prober.close();
        }
        if (rpcServer != null) {
            rpcServer.close();
        }
        store.close();
        log.info("meta server {} stopped", address);
    }
}
