package dev.registry.meta;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.protocol.DataServerHeartbeat;
import dev.registry.common.protocol.DataServerLeaving;
import dev.registry.common.protocol.DataServerUnreachable;
import dev.registry.common.protocol.GetSlotTableRequest;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.MetaRedirect;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.protocol.SessionServerHeartbeat;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.admin.MetaAdminRoutes;
import dev.registry.meta.leader.LeaderState;
import dev.registry.meta.leader.SlotTablePublisher;
import dev.registry.meta.leader.StateThread;
import dev.registry.meta.lease.LeaderElection;
import dev.registry.meta.membership.ClusterMembership;
import dev.registry.meta.membership.DataServerSuspicions;
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
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

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
 * <p>Parts: {@link LeaderState} holds the term, table, switches and members
 * ({@link ClusterMembership}); {@link SlotTablePublisher} saves and pushes table changes;
 * {@link MetaAdminRoutes} serves the admin API. This class wires them, turns member RPCs into
 * LeaderState steps, probes reported data servers and runs the timers.
 *
 * <p>Threading: membership, table and switches are guarded by LeaderState's monitor; database
 * writes and table changes run on the single {@code meta-state} thread ({@link StateThread}, so
 * tables are saved and pushed in order), never under the lock; pushes are sent after the lock is
 * released.
 */
public final class MetaServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetaServer.class);

    private final MetaServerConfig config;
    private final LongSupplier nanoTicker;
    private final MetaStore store;
    private final LeaderState leader;
    private RpcServer rpcServer;
    /** Connects to reported data servers to probe them; null when reports are off. */
    private RpcClient prober;
    private volatile AdminHttpServer admin;
    private ScheduledExecutorService timer;
    private StateThread state;
    private volatile SlotTablePublisher tables;
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
        this.nanoTicker = nanoTicker;
        this.store = store;
        this.leader = new LeaderState(new SlotBalancer(config.replicas()),
                // Leases on the monotonic clock: a step of the wall clock would expire every member at once.
                new ClusterMembership<>(config.dataLease(), config.sessionLease(), () -> nanoTicker.getAsLong() / 1_000_000),
                SlotTable.initial(config.slotCount()), this::adminAddress);
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
                .register(GetSlotTableRequest.class, (connection, request) -> leader.slotTableAnswer())
                .register(DataServerLeaving.class, this::onDataLeaving)
                .register(DataServerUnreachable.class, this::onDataUnreachable);
        rpcServer = new RpcServer("meta", config.rpc(), WireClasses.serializer(), handlers, new ConnectionListener() {
            @Override
            public void onDisconnected(RpcConnection connection) {
                if (leader.disconnected(connection)) {
                    tables.requestRebalance();
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
        Duration renew = config.leaderLease().renewInterval();
        state = new StateThread(renew);
        timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meta-leases", true));
        timer.scheduleWithFixedDelay(this::expireLeases, 200, 200, TimeUnit.MILLISECONDS);
        state.every(renew, this::reloadSwitches);
        election = new LeaderElection(address + "/" + UUID.randomUUID(), address, store, config.leaderLease(),
                nanoTicker, new LeaderElection.Listener() {
                    @Override
                    public void onElected(long term) {
                        state.run(() -> takeOver(term));
                    }

                    @Override
                    public void onDeposed(long term, String reason) {
                        state.run(() -> stepDown(term, reason));
                    }
                });
        leader.attach(address, election);
        tables = new SlotTablePublisher(leader, store, election, state);
        election.start();
        if (config.adminPort() >= 0) {
            admin = new AdminHttpServer("meta", config.adminToken(), config.rpc().tls()).serveConsole(); // HTTPS with the node certificate
            new MetaAdminRoutes(address, config, store, election, leader, rpcServer).register(admin);
            admin.start(config.adminBindHost(), config.adminPort());
        }
        log.info("meta server {} started: rpc port {}, admin http port {}; database {}; lease {} ms, renewed every {} ms",
                address, rpcServer.port(), admin == null ? "off" : admin.port(), store.description(),
                config.leaderLease().leaseDuration().toMillis(), renew.toMillis());
        return this;
    }

    private void checkSlotCount(Optional<SlotTable> saved) {
        if (saved.isPresent() && saved.get().slotCount() != config.slotCount()) {
            throw new IllegalStateException("the meta database " + store.description() + " holds a slot table of "
                    + saved.get().slotCount() + " slots, but this node runs with " + config.slotCount()
                    + ": the slot count of a cluster never changes (fix --slots or use another database)");
        }
    }

    // ---- leadership (state thread) ----

    /** Loads the saved table and switches and starts serving under {@code term}. */
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
            state.retryLater(() -> takeOver(term));
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
        if (!tables.save(first, term)) {
            if (election.isLeaderOf(term)) {
                state.retryLater(() -> takeOver(term));
            }
            return;
        }
        // A saved table means a running cluster: its sessions find this leader one by one.
        if (!leader.lead(term, first, savedSwitches, saved != null)) {
            return;
        }
        log.info("meta {} leads in term {}: slot table epoch {} (saved epoch {}, term {}), data servers {}, "
                        + "switches version {}", address, term, first.epoch(), base.epoch(), base.term(), first.servers(),
                savedSwitches.version());
        tables.requestRebalance();
    }

    private void stepDown(long term, String reason) {
        if (leader.stopLeading()) {
            log.info("meta {} no longer leads (term {}: {}); members are redirected", address, term, reason);
        }
    }

    // ---- members ----

    private Object onDataHeartbeat(RpcConnection connection, DataServerHeartbeat hb) {
        String member = requireAddress(hb.address());
        LeaderState.DataBeat beat = leader.dataHeartbeat(member, connection, hb.adminAddress(), hb.knownEpoch());
        if (!(beat.answer() instanceof HeartbeatResponse response)) {
            return beat.answer(); // not serving: a redirect
        }
        if (beat.joined()) {
            log.info("data server {} joined", member);
            tables.requestRebalance();
        }
        checkMemberTable(connection, member, hb.knownEpoch(), response.epoch());
        return response;
    }

    private Object onSessionHeartbeat(RpcConnection connection, SessionServerHeartbeat hb) {
        String member = requireAddress(hb.address());
        Object answer = leader.sessionHeartbeat(member, connection, hb.clientConnections(), hb.adminAddress(),
                hb.knownEpoch());
        if (answer instanceof HeartbeatResponse response) {
            checkMemberTable(connection, member, hb.knownEpoch(), response.epoch());
        }
        return answer;
    }

    private Object onDataLeaving(RpcConnection connection, DataServerLeaving request) {
        String member = requireAddress(request.address());
        Object answer = leader.leaving(member, connection);
        if (answer instanceof HeartbeatResponse) {
            log.info("data server {} is leaving; handing its slots to the others", member);
            tables.requestRebalance();
        }
        return answer;
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
        LeaderState.Report decided = leader.reportedUnreachable(suspect, reporter, prober != null);
        if (decided.probe()) {
            log.info("{} cannot reach data server {}; probing it", reporter, suspect);
            probe(suspect, reporter, decided.term());
        }
        return decided.answer();
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
        if (!leader.probed(server, reporter, term, error == null)) {
            return;
        }
        log.warn("data server {} is unreachable ({} reported it, meta's probe failed: {}); removing it from the slot "
                + "table now instead of after its lease", server, reporter, rootMessage(error));
        tables.requestRebalance();
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t == null ? "none" : t.getMessage();
    }

    private void checkMemberTable(RpcConnection connection, String member, long knownEpoch, long epoch) {
        if (leader.holdsUnknownTable(member, knownEpoch, epoch)) {
            tables.adoptNewerTable(connection, knownEpoch);
        }
    }

    private static String requireAddress(String address) {
        if (address == null || address.isBlank() || address.lastIndexOf(':') < 1) {
            throw new IllegalArgumentException("heartbeat needs a host:port address, got '" + address + "'");
        }
        return address;
    }

    /** Where members reach this node's admin port (null while it is not up, or off). */
    private String adminAddress() {
        AdminHttpServer a = admin;
        return a == null || a.port() <= 0 ? null
                : a.advertisedAddress(config.adminBindHost(), config.bindHost(), config.advertiseHost());
    }

    private void expireLeases() {
        if (leader.expireLeases()) {
            tables.requestRebalance();
        }
    }

    /** The leader picks up switches another meta node's admin endpoint changed. State thread. */
    private void reloadSwitches() {
        if (!leader.isLeader()) {
            return;
        }
        try {
            OperationalSwitches stored = store.loadSwitches();
            leader.adoptSwitches(stored);
        } catch (MetaStoreException e) {
            log.debug("cannot reload the operational switches: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("reloading the operational switches failed", e);
        }
    }

    // ---- accessors ----

    /** The leader's current table; on a follower the last table it served (initial if never). */
    public SlotTable slotTable() {
        return leader.slotTable();
    }

    public Set<String> dataServers() {
        return leader.dataServers();
    }

    public Set<String> sessionServers() {
        return leader.sessionServers();
    }

    /** False while this leader, newly in charge of a running cluster, may not have heard every live session. */
    public boolean sessionListComplete() {
        return leader.sessionListComplete();
    }

    /** True while this node serves as the meta leader. */
    public boolean isLeader() {
        return leader.isLeader();
    }

    /** The term this node leads in, or 0. */
    public long term() {
        return leader.term();
    }

    /** The leader's address as this node last read it from the lease (may be stale), or null. */
    public String leaderAddress() {
        return election == null ? null : election.lastSeen().holderAddress();
    }

    public OperationalSwitches switches() {
        return leader.switches();
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

    /**
     * Releases the lease if leading (a follower takes over within one renew interval), then
     * stops. Not synchronized: closing waits for I/O threads, whose disconnect callbacks take the
     * leader state's lock.
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
            state.stop(config.leaderLease().leaseDuration());
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
