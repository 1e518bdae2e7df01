package dev.registry.server.chaos;

import com.google.common.net.HostAndPort;
import dev.registry.data.DataServer;
import dev.registry.meta.MetaServer;
import dev.registry.meta.store.MetaDatabase;
import dev.registry.server.TestClusterAccess;
import dev.registry.session.SessionServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * One seeded chaos scenario on a real in-JVM cluster on 127.0.0.1: 3 metas sharing an
 * in-memory H2 database (one leader by the database lease), 3 data servers, 2 sessions, and
 * every link between roles behind a {@link FaultyProxy}:
 * <ul>
 *   <li>client to session: per session one proxy for the anchor client, one for the stable
 *       subscriber, one for the churn clients and the second subscriber (the faulted one);
 *   <li>data/session to meta: meta i binds 127.0.0.1:P and advertises 127.0.0.(11+i), where a
 *       proxy listens on the same port P; members are given the proxies' addresses, and a
 *       follower's redirect names the leader's proxy too, so every member-to-meta byte passes one;
 *   <li>session to data and data to data (replication): each data server advertises the port of
 *       its proxy in the slot table ({@code DataServerConfig.advertisePort}).
 * </ul>
 * Faults: kill (abrupt; also while the other data servers' links are slow, so its followers lag)
 * / drain data servers, drain / stop sessions abruptly, crash / gracefully
 * stop the meta leader (restarted on its port after the next fault), reset / blackhole / delay
 * each class of link, pause a node, client deaths and reconnect storms.
 *
 * <p>A "pause" here freezes every link INTO the node, both directions, for 1 to 6 s: nothing it
 * sends or is sent arrives, not even a close, and new connections to it hang. Its own threads
 * keep running (a JVM cannot stop some of its threads), so a paused session still talks to data
 * servers and meta, and a paused data server or meta still heartbeats outward; that is a
 * one-node partition. The stop-the-world pause (SIGSTOP) is in {@link ProcessChaosTest}.
 */
final class ChaosHarness extends ChaosScenario {
    static final Duration DEAD_BOUND = Duration.ofSeconds(8); // session idle 3 s + push window + retries
    /** A write is pushed within a second (DESIGN.md); 3 s of slack for a loaded 2-core machine. */
    static final Duration PUSH_BOUND = Duration.ofSeconds(3);
    static final Duration SETTLE_BOUND = Duration.ofSeconds(40);
    static final int METAS = 3;

    static final List<String> KINDS = List.of(
            "kill data server", "kill data server while replicas lag", "drain data server", "drain session",
            "stop session abruptly",
            "crash meta leader", "stop meta leader gracefully",
            "reset client links", "blackhole client links", "delay client links",
            "reset meta links", "blackhole meta links", "delay meta links",
            "reset data links", "blackhole data links", "delay data links",
            "pause session", "pause data server", "pause meta leader",
            "client dies");

    private final List<FaultyProxy> anchorProxies = new ArrayList<>();
    private final List<FaultyProxy> stableProxies = new ArrayList<>();
    private final List<FaultyProxy> faultyProxies = new ArrayList<>();
    /** Meta RPC port to the proxy in front of it (kept across restarts on the same port). */
    private final Map<Integer, FaultyProxy> metaProxies = new ConcurrentHashMap<>();
    private final Map<DataServer, FaultyProxy> dataProxies = new ConcurrentHashMap<>();
    private FaultyProxy pendingDataProxy;
    private final TestClusterAccess cluster;

    ChaosHarness(long seed) {
        super(seed, KINDS, DEAD_BOUND, PUSH_BOUND, SETTLE_BOUND);
        cluster = new TestClusterAccess(MetaDatabase.h2InMemory(), METAS, 3, 2, new TestClusterAccess.Links() {
            @Override
            public String metaAdvertiseHost(int index) {
                return "127.0.0." + (11 + index);
            }

            @Override
            public HostAndPort metaAddress(int index, int port) {
                String host = metaAdvertiseHost(index);
                try {
                    metaProxies.put(port, new FaultyProxy(InetAddress.getByName(host), port, port));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return HostAndPort.fromParts(host, port);
            }

            @Override
            public int dataAdvertisePort() {
                try {
                    pendingDataProxy = new FaultyProxy(0);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return pendingDataProxy.port();
            }

            @Override
            public void dataStarted(DataServer d) {
                pendingDataProxy.retarget(d.port());
                dataProxies.put(d, pendingDataProxy);
            }
        });
    }

    Map<String, Integer> faults() {
        return checker.faults();
    }

    /** Starts the client proxies and the workload. */
    void setUp() throws Exception {
        for (SessionServer s : cluster.sessions()) {
            anchorProxies.add(new FaultyProxy(s.port()));
            stableProxies.add(new FaultyProxy(s.port()));
            faultyProxies.add(new FaultyProxy(s.port()));
        }
        workload = new Workload(checker, FaultyProxy.addresses(anchorProxies), List.of(FaultyProxy.addresses(stableProxies), FaultyProxy.addresses(faultyProxies)),
                FaultyProxy.addresses(faultyProxies),
                clientId -> cluster.sessions().stream().anyMatch(s -> s.damping().damper().holdsOnNextLoss(clientId)));
        // Every role-to-role link runs through a proxy, or the link faults would inject nothing.
        await().atMost(Duration.ofSeconds(10)).until(() -> dataProxies.values().stream().allMatch(p -> p.connections() > 0)
                && leader().map(m -> metaProxies.get(m.port()).connections() >= cluster.data().size()
                        + cluster.sessions().size()).orElse(false));
        checker.log("cluster: metas " + cluster.metas().stream().map(MetaServer::address).toList() + ", data "
                + cluster.data().stream().map(DataServer::address).toList());
    }

    private Optional<MetaServer> leader() {
        return cluster.metas().stream().filter(MetaServer::isLeader).findFirst();
    }

    private FaultyProxy leaderProxyOrAny() {
        return leader().map(m -> metaProxies.get(m.port()))
                .orElseGet(() -> new ArrayList<>(metaProxies.values()).get(random.nextInt(metaProxies.size())));
    }

    private DataServer randomData() {
        List<DataServer> data = cluster.data();
        return data.get(random.nextInt(data.size()));
    }

    private long pauseMillis() {
        return 1000 + random.nextInt(5000);
    }

    @Override
    Runnable inject(String kind) throws Exception {
        switch (kind) {
            case "kill data server", "drain data server" -> {
                if (cluster.data().size() < 3) {
                    checker.skipped(kind);
                    return null;
                }
                DataServer victim = randomData();
                checker.count(kind);
                checker.log(kind + " " + victim.address());
                if (kind.startsWith("drain")) {
                    victim.drain(Duration.ofSeconds(15));
                }
                cluster.stopDataServer(victim);
                retire(dataProxies.remove(victim));
                return () -> checker.log("start empty data server " + cluster.addDataServer().address());
            }
            case "kill data server while replicas lag" -> {
                if (cluster.data().size() < 3) {
                    checker.skipped(kind);
                    return null;
                }
                // Replication is asynchronous: a leader acknowledges writes its followers do not have
                // yet. Slow every other data server's links, let the workload write, then kill the
                // leader: its slots' new leaders lack its last writes until the sessions re-sync them,
                // which the read gate waits for.
                DataServer victim = randomData();
                long lag = 300 + random.nextInt(500);
                List<FaultyProxy> others = dataProxies.entrySet().stream().filter(e -> e.getKey() != victim)
                        .map(Map.Entry::getValue).toList();
                checker.count(kind);
                checker.log(kind + " " + victim.address() + ": the others' links " + lag + " ms per chunk");
                others.forEach(p -> p.setDelayMillis(lag));
                long[] lossy = checker.removalsMayBeLost(kind);
                LockSupport.parkNanos(1_500_000_000L);
                cluster.stopDataServer(victim);
                checker.endLossyRemovals(lossy);
                retire(dataProxies.remove(victim));
                checker.log("killed " + victim.address());
                later(() -> others.forEach(p -> p.setDelayMillis(0)), 2_000);
                return () -> checker.log("start empty data server " + cluster.addDataServer().address());
            }
            case "drain session", "stop session abruptly" -> {
                int i = random.nextInt(cluster.sessions().size());
                SessionServer old = cluster.sessions().get(i);
                checker.count(kind);
                checker.log(kind + " " + old.sessionId());
                long[] leaving = checker.sessionLeaving(kind);
                if (kind.startsWith("drain")) {
                    old.drain(Duration.ofSeconds(5));
                }
                SessionServer fresh = cluster.replaceSession(i);
                checker.endLossyRemovals(leaving);
                for (FaultyProxy p : List.of(anchorProxies.get(i), stableProxies.get(i), faultyProxies.get(i))) {
                    p.retarget(fresh.port());
                    p.resetAll(); // connections to the old session are gone anyway
                }
                checker.excuseChurnBriefly(kind); // its churn clients reconnect and re-register
                checker.log("session " + i + " now " + fresh.sessionId());
                return null;
            }
            case "crash meta leader", "stop meta leader gracefully" -> {
                Optional<MetaServer> leader = leader();
                if (leader.isEmpty() || cluster.metas().size() < 2) {
                    checker.skipped(kind);
                    return null;
                }
                MetaServer m = leader.get();
                int port = m.port();
                checker.count(kind);
                checker.log(kind + " " + m.address() + " (term " + m.term() + ")");
                if (kind.startsWith("crash")) {
                    cluster.crashMeta(m);
                } else {
                    cluster.stopMeta(m);
                }
                return () -> checker.log("restart meta on :" + port + " " + cluster.startMeta(port).address());
            }
            case "reset client links", "blackhole client links", "delay client links",
                 "reset meta links", "blackhole meta links", "delay meta links",
                 "reset data links", "blackhole data links", "delay data links" -> {
                return linkFault(kind, linkProxy(kind));
            }
            case "pause session" -> {
                int i = random.nextInt(cluster.sessions().size());
                List<FaultyProxy> links = List.of(anchorProxies.get(i), stableProxies.get(i), faultyProxies.get(i));
                pause(kind, cluster.sessions().get(i).sessionId(), links, anchorsOn(anchorProxies.get(i)));
                return null;
            }
            case "pause data server" -> {
                DataServer d = randomData();
                pause(kind, d.address(), List.of(dataProxies.get(d)), false);
                return null;
            }
            case "pause meta leader" -> {
                FaultyProxy p = leaderProxyOrAny();
                pause(kind, "behind proxy :" + p.port(), List.of(p), false);
                return null;
            }
            case "client dies" -> {
                workload.clientDies(random);
                return null;
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private FaultyProxy linkProxy(String kind) {
        if (kind.endsWith("client links")) {
            return faultyProxies.get(random.nextInt(faultyProxies.size()));
        }
        if (kind.endsWith("meta links")) {
            return leaderProxyOrAny();
        }
        return dataProxies.get(randomData());
    }

    private boolean anchorsOn(FaultyProxy p) {
        Optional<InetSocketAddress> at = workload.anchorSession();
        return at.isEmpty() || at.get().getPort() == p.port();
    }

    /** Freezes {@code links} for 1-6 s, then lets them go; excuses the anchors if their client is cut off. */
    private void pause(String kind, String node, List<FaultyProxy> links, boolean anchorsCut) {
        long millis = pauseMillis();
        checker.count(kind);
        checker.log(kind + " " + node + " for " + millis + " ms");
        long[] excuse = anchorsCut ? checker.excuseAnchors("the anchor client's session is paused") : null;
        long[] churnExcuse = kind.equals("pause session") ? checker.excuseChurn(kind) : null;
        links.forEach(p -> p.setBlackhole(true));
        LockSupport.parkNanos(millis * 1_000_000L);
        links.forEach(p -> p.setBlackhole(false));
        checker.restartDeadClocks();
        if (excuse != null) {
            checker.endExcuse(excuse);
        }
        if (churnExcuse != null) {
            checker.endChurnExcuse(churnExcuse);
        }
        checker.log("resumed");
    }

    private static void retire(FaultyProxy p) {
        if (p != null) {
            p.close();
        }
    }

    private Stream<FaultyProxy> allProxies() {
        return Stream.of(anchorProxies.stream(), stableProxies.stream(), faultyProxies.stream(),
                metaProxies.values().stream(), dataProxies.values().stream()).flatMap(s -> s);
    }

    @Override
    void healAll() {
        allProxies().forEach(p -> {
            p.setBlackhole(false);
            p.setDelayMillis(0);
        });
    }

    @Override
    public void close() {
        stopLinkFaults();
        if (workload != null) {
            workload.close();
        }
        healAll();
        cluster.close();
        allProxies().forEach(FaultyProxy::close);
    }
}
