package dev.registry.server;

import com.google.common.net.HostAndPort;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.DataServer;
import dev.registry.data.DataServerConfig;
import dev.registry.data.replication.SlotReplication;
import dev.registry.meta.MetaServer;
import dev.registry.meta.MetaServerConfig;
import dev.registry.meta.lease.LeaseSettings;
import dev.registry.meta.store.JdbcMetaStore;
import dev.registry.meta.store.MetaDatabase;
import dev.registry.session.SessionServer;
import dev.registry.session.SessionServerConfig;
import dev.registry.session.push.PushEngine;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/**
 * A real cluster in this JVM on 127.0.0.1 with free ports: one meta, data servers and
 * sessions, plus clients. Short leases so tests of failure run fast. Close it in teardown:
 * it stops every client and server it started.
 */
final class TestCluster implements AutoCloseable {
    static final int SLOTS = 64;
    static final String ADMIN_TOKEN = "test-token";

    /** Meta lease of multi-meta clusters: a dead leader is replaced within 1.75 s. */
    static final LeaseSettings META_LEASE = new LeaseSettings(Duration.ofMillis(1_500), Duration.ofMillis(250));

    /** The first meta; in a single-meta cluster the only one (state in memory). */
    final MetaServer meta;
    /** Every running meta (multi-meta clusters share {@link #metaDatabase}). */
    final List<MetaServer> metas = new CopyOnWriteArrayList<>();
    private final MetaDatabase metaDatabase;
    private final List<HostAndPort> metaAddresses;
    private final TestClusterAccess.Links links;
    /** Index of each meta port ever started: a meta restarted on its port keeps its index. */
    private final Map<Integer, Integer> metaIndexByPort = new ConcurrentHashMap<>();
    private final Map<MetaServer, FaultyMetaStore> metaStores = new ConcurrentHashMap<>();
    final List<DataServer> data = new CopyOnWriteArrayList<>();
    final List<SessionServer> sessions = new CopyOnWriteArrayList<>();
    private final List<RegistryClient> clients = new CopyOnWriteArrayList<>();
    private final Duration sessionGrace;
    /** Mutual TLS between the roles, or null (plain TCP). */
    private final dev.registry.common.tls.TlsSettings clusterTls;

    TestCluster(int dataServers, int sessionServers) {
        this(dataServers, sessionServers, Duration.ofSeconds(5));
    }

    /** @param sessionGrace how long data servers keep the publishers of a session that vanished */
    TestCluster(int dataServers, int sessionServers, Duration sessionGrace) {
        this(dataServers, sessionServers, sessionGrace, Duration.ofSeconds(3));
    }

    /** @param memberLease how long meta keeps a data server or session that stopped heartbeating */
    TestCluster(int dataServers, int sessionServers, Duration sessionGrace, Duration memberLease) {
        this(dataServers, sessionServers, sessionGrace, memberLease, null);
    }

    /** A single-meta cluster whose roles talk mutual TLS with {@code clusterTls} (every node the same certificate). */
    TestCluster(int dataServers, int sessionServers, dev.registry.common.tls.TlsSettings clusterTls) {
        this(dataServers, sessionServers, Duration.ofSeconds(5), Duration.ofSeconds(3), clusterTls);
    }

    private TestCluster(int dataServers, int sessionServers, Duration sessionGrace, Duration memberLease,
                        dev.registry.common.tls.TlsSettings clusterTls) {
        this.clusterTls = clusterTls;
        this.sessionGrace = sessionGrace;
        this.links = TestClusterAccess.Links.DIRECT;
        meta = new MetaServer(new MetaServerConfig("127.0.0.1", 0, 0, SLOTS, 2, memberLease,
                memberLease, RpcConfig.serverDefaults().withWorkerThreads(2).withTls(clusterTls)), Clock.systemUTC()).start();
        metas.add(meta);
        metaDatabase = null;
        metaAddresses = List.of(HostAndPort.fromParts("127.0.0.1", meta.port()));
        for (int i = 0; i < dataServers; i++) {
            addDataServer();
        }
        for (int i = 0; i < sessionServers; i++) {
            addSession();
        }
        awaitStable();
    }

    /**
     * {@code metaServers} meta nodes sharing {@code database} (one leader by the database lease,
     * {@link #META_LEASE}); data servers and sessions know all of them.
     */
    TestCluster(MetaDatabase database, int metaServers, int dataServers, int sessionServers) {
        this(database, metaServers, dataServers, sessionServers, TestClusterAccess.Links.DIRECT);
    }

    /** As above, with {@code links} choosing the addresses nodes reach metas and data servers at (proxies). */
    TestCluster(MetaDatabase database, int metaServers, int dataServers, int sessionServers,
                TestClusterAccess.Links links) {
        this.sessionGrace = Duration.ofSeconds(5);
        this.clusterTls = null;
        this.metaDatabase = database;
        this.links = links;
        List<HostAndPort> addresses = new ArrayList<>();
        for (int i = 0; i < metaServers; i++) {
            MetaServer m = startMeta(0);
            addresses.add(links.metaAddress(i, m.port()));
        }
        meta = metas.get(0);
        metaAddresses = List.copyOf(addresses);
        for (int i = 0; i < dataServers; i++) {
            addDataServer();
        }
        for (int i = 0; i < sessionServers; i++) {
            addSession();
        }
        awaitStable();
    }

    /** Starts a meta on the shared database ({@code port} 0 = a free one; an old port to restart a meta there). */
    MetaServer startMeta(int port) {
        int index = port == 0 ? metaIndexByPort.size() : metaIndexByPort.getOrDefault(port, metaIndexByPort.size());
        MetaServerConfig config = new MetaServerConfig("127.0.0.1", port, 0, SLOTS, 2, Duration.ofSeconds(3),
                Duration.ofSeconds(3), RpcConfig.serverDefaults().withWorkerThreads(2))
                .withDatabase(metaDatabase).withLeaderLease(META_LEASE).withAdminToken(ADMIN_TOKEN)
                .withAdvertiseHost(links.metaAdvertiseHost(index));
        FaultyMetaStore store = new FaultyMetaStore(new JdbcMetaStore(metaDatabase,
                META_LEASE.leaseDuration().dividedBy(2)));
        MetaServer m = new MetaServer(config, Clock.systemUTC(), store, System::nanoTime).start();
        metaIndexByPort.putIfAbsent(m.port(), index);
        metaStores.put(m, store);
        metas.add(m);
        return m;
    }

    /** The store of a meta started by {@link #startMeta}: cut it to partition that meta from the database. */
    FaultyMetaStore storeOf(MetaServer m) {
        return metaStores.get(m);
    }

    /** Kills a meta as a crash would: it cannot release its lease, its connections drop. */
    void crashMeta(MetaServer m) {
        FaultyMetaStore store = metaStores.get(m);
        if (store != null) {
            store.cut();
        }
        metas.remove(m);
        m.close();
    }

    /** Stops a meta gracefully: it releases its lease, a follower takes over within one renew interval. */
    void stopMeta(MetaServer m) {
        metas.remove(m);
        m.close();
    }

    /** The meta serving as leader now, waiting for one if there is none. */
    MetaServer leaderMeta() {
        for (MetaServer m : metas) {
            if (m.isLeader()) {
                return m;
            }
        }
        return await().atMost(Duration.ofSeconds(15)).until(
                () -> metas.stream().filter(MetaServer::isLeader).findFirst().orElse(null), m -> m != null);
    }

    List<HostAndPort> metaAddresses() {
        return metaAddresses;
    }

    DataServer addDataServer() {
        return addDataServer(rpc -> rpc);
    }

    /** A data server whose RPC settings {@code rpc} adjusts (e.g. a smaller frame limit). */
    DataServer addDataServer(java.util.function.UnaryOperator<RpcConfig> rpc) {
        return addDataServer(rpc, Clock.systemUTC());
    }

    /** A data server whose wall clock is {@code clock} (one that runs ahead, say). */
    DataServer addDataServer(Clock clock) {
        return addDataServer(rpc -> rpc, clock);
    }

    private DataServer addDataServer(java.util.function.UnaryOperator<RpcConfig> rpc, Clock clock) {
        DataServer d = new DataServer(new DataServerConfig("127.0.0.1", 0, 0, "127.0.0.1", metaAddresses(), SLOTS,
                Duration.ofMillis(300), sessionGrace, rpc.apply(RpcConfig.serverDefaults().withWorkerThreads(2).withTls(clusterTls)),
                SlotReplication.Settings.defaults(), ADMIN_TOKEN).withAdvertisePort(links.dataAdvertisePort()),
                clock).start();
        links.dataStarted(d);
        data.add(d);
        return d;
    }

    SessionServer addSession() {
        return addSession(PushEngine.Settings.defaults());
    }

    SessionServer addSession(PushEngine.Settings push) {
        return addSession(push, -1);
    }

    /** A session that also serves SOFARegistry's Java client: Bolt on a free port, discovery on its admin port. */
    SessionServer addSofaSession() {
        return addSession(PushEngine.Settings.defaults(), 0);
    }

    private SessionServer addSession(PushEngine.Settings push, int sofaBoltPort) {
        return addSession(c -> c.withPush(push).withSofaBoltPort(sofaBoltPort));
    }

    /** A session with the test defaults, changed by {@code customize} (limits, damping ...). */
    SessionServer addSession(java.util.function.UnaryOperator<SessionServerConfig> customize) {
        RpcConfig clientRpc = RpcConfig.serverDefaults().withWorkerThreads(2).withHeartbeat(Duration.ZERO, Duration.ofSeconds(3));
        SessionServer s = new SessionServer(customize.apply(new SessionServerConfig("127.0.0.1", 0, 0, "127.0.0.1",
                metaAddresses(), SLOTS, Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(5), clientRpc, PushEngine.Settings.defaults(), ADMIN_TOKEN).withClusterTls(clusterTls)),
                Clock.systemUTC()).start();
        sessions.add(s);
        return s;
    }

    /** Waits until meta knows every data server and every node holds meta's current table. */
    void awaitStable() {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            MetaServer leader = leaderMeta();
            SlotTable t = leader.slotTable();
            return leader.dataServers().size() == data.size() && t.isComplete()
                    && data.stream().allMatch(d -> d.slotTables().epoch() == t.epoch())
                    && sessions.stream().allMatch(s -> s.slotTables().epoch() == t.epoch() && s.isReady());
        });
    }

    RegistryClient client(SessionServer session) {
        RegistryClient c = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:" + session.port())
                .appName("test").requestTimeout(Duration.ofSeconds(10))
                .heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build());
        clients.add(c);
        return c;
    }

    /** The datum as the slot's current leader holds it. */
    Datum leaderDatum(DataInfoId id) {
        SlotTable t = leaderMeta().slotTable();
        int slot = t.slotOf(id);
        String leader = t.slot(slot).leader();
        DataServer d = data.stream().filter(x -> x.address().equals(leader)).findFirst().orElseThrow();
        return d.store().get(slot, id);
    }

    void stopDataServer(DataServer d) {
        data.remove(d);
        d.close();
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(clients);
        all.addAll(sessions);
        all.addAll(data);
        all.addAll(metas);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
