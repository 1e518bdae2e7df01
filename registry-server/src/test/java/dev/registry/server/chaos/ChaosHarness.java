package dev.registry.server.chaos;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import dev.registry.data.DataServer;
import dev.registry.server.TestClusterAccess;
import dev.registry.session.SessionServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;

/**
 * One seeded chaos scenario on a real in-JVM cluster (1 meta, 3 data servers, 2 sessions on
 * real sockets, clients behind fault-injecting proxies). A workload publishes, updates and
 * unregisters while a scheduler driven by the seed injects faults. Every push every
 * subscriber receives is recorded and checked against DESIGN.md's invariants:
 * <ol>
 *   <li>anchor publishers (live clients that are never faulted) are in every push once a
 *       subscriber has seen them: no live publisher lost, no fault-caused shrink (1, 5);
 *   <li>publishers of dead (closed) clients are gone from pushes received after the bound (2);
 *   <li>after the faults stop, every subscriber converges to exactly the live publishers (3);
 *   <li>no client ever received an older version than one it had (4).
 * </ol>
 * The seed fixes the schedule of operations and faults; thread timing still varies, so a
 * failure prints the seed and the history to replay and read.
 */
final class ChaosHarness implements AutoCloseable {
    static final int IDS = 10;
    static final Duration DEAD_BOUND = Duration.ofSeconds(8); // session idle 3 s + push window + retries
    static final Duration SETTLE_BOUND = Duration.ofSeconds(40);

    private final long seed;
    private final Random random;
    private final TestClusterAccess cluster;
    private final List<DataInfoId> ids = new ArrayList<>();
    private final List<FaultyProxy> anchorProxies = new ArrayList<>();
    private final List<FaultyProxy> faultyProxies = new ArrayList<>();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final List<ChurnClient> churn = new CopyOnWriteArrayList<>();
    private final List<RegistryClient> allClients = new CopyOnWriteArrayList<>();
    /** Values of clients that were closed, with the time they died. */
    private final Map<String, Long> deadValues = new ConcurrentHashMap<>();
    private final List<String> history = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> faults = new TreeMap<>();
    private final AtomicLong valueCounter = new AtomicLong();
    private final long start = System.nanoTime();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    /** A subscriber's view: every push with the time it arrived. */
    static final class Subscriber {
        final DataInfoId id;
        final List<long[]> times = new CopyOnWriteArrayList<>();
        final List<SubscriptionData> pushes = new CopyOnWriteArrayList<>();

        Subscriber(DataInfoId id) {
            this.id = id;
        }

        void record(SubscriptionData d) {
            pushes.add(d);
            times.add(new long[] {System.nanoTime()});
        }

        List<String> last() {
            return pushes.isEmpty() ? null : pushes.get(pushes.size() - 1).values();
        }
    }

    /** A client that comes and goes and publishes random values. */
    final class ChurnClient {
        final RegistryClient client;
        final List<Publication> live = new CopyOnWriteArrayList<>();

        ChurnClient(RegistryClient client) {
            this.client = client;
        }
    }

    ChaosHarness(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
        this.cluster = new TestClusterAccess(3, 2);
        for (int i = 0; i < IDS; i++) {
            ids.add(DataInfoId.of("chaos." + i));
        }
    }

    long seed() {
        return seed;
    }

    Map<String, Integer> faults() {
        return faults;
    }

    int pushesChecked() {
        return subscribers.stream().mapToInt(s -> s.pushes.size()).sum();
    }

    List<String> violations() {
        return violations;
    }

    void log(String event) {
        history.add(String.format("%7.3f s  %s", (System.nanoTime() - start) / 1e9, event));
    }

    String history() {
        return "seed " + seed + "\n" + String.join("\n", history);
    }

    private String servers(List<FaultyProxy> proxies) {
        StringBuilder b = new StringBuilder();
        for (FaultyProxy p : proxies) {
            b.append(b.length() == 0 ? "" : ",").append("127.0.0.1:").append(p.port());
        }
        return b.toString();
    }

    private RegistryClient newClient(List<FaultyProxy> proxies, String app) {
        RegistryClient c = RegistryClient.start(RegistryClientConfig.builder(servers(proxies)).appName(app)
                .requestTimeout(Duration.ofSeconds(10)).heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build());
        allClients.add(c);
        return c;
    }

    /** Starts proxies, anchors (one stable publisher per id), subscribers on both sessions, churn clients. */
    void setUp() throws Exception {
        for (SessionServer s : cluster.sessions()) {
            anchorProxies.add(new FaultyProxy(s.port()));
            faultyProxies.add(new FaultyProxy(s.port()));
        }
        RegistryClient anchor = newClient(anchorProxies, "anchor");
        for (DataInfoId id : ids) {
            anchor.publish(id, List.of("anchor:" + id.dataId()));
        }
        for (int k = 0; k < 2; k++) {
            RegistryClient subClient = newClient(k == 0 ? anchorProxies : faultyProxies, "subscriber");
            for (DataInfoId id : ids) {
                Subscriber s = new Subscriber(id);
                subscribers.add(s);
                subClient.subscribe(id, s::record);
            }
        }
        for (int i = 0; i < 3; i++) {
            churn.add(new ChurnClient(newClient(faultyProxies, "churn")));
        }
        log("set up: " + IDS + " ids, anchors, " + subscribers.size() + " subscriptions, 3 churn clients");
    }

    /** Runs workload and faults for the given time, then checks convergence. */
    void run(Duration duration) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Random workloadRandom = new Random(seed * 31 + 7);
        Thread workload = new Thread(() -> {
            while (running.get()) {
                try {
                    step(workloadRandom);
                } catch (RuntimeException e) {
                    log("workload op failed (allowed under faults): " + e.getMessage());
                }
                LockSupport.parkNanos(40_000_000); // pacing of the generated load
            }
        }, "chaos-workload");
        workload.start();
        long end = System.nanoTime() + duration.toNanos();
        Runnable pendingRepair = null;
        while (System.nanoTime() < end) {
            Runnable repair = injectFault();
            LockSupport.parkNanos((1500 + random.nextInt(1500)) * 1_000_000L); // time between faults
            checkContinuously();
            if (pendingRepair != null) {
                pendingRepair.run();
            }
            pendingRepair = repair;
        }
        if (pendingRepair != null) {
            pendingRepair.run();
        }
        running.set(false);
        workload.join(15_000);
        for (FaultyProxy p : faultyProxies) {
            p.setBlackhole(false);
            p.setDelayMillis(0);
        }
        log("faults stopped; settling");
        settle();
        checkContinuously();
        for (RegistryClient c : allClients) {
            if (c.olderPushesDropped() > 0) {
                violations.add("invariant 4: a client received " + c.olderPushesDropped() + " pushes older than one it had");
            }
        }
    }

    private void step(Random r) {
        ChurnClient c = churn.get(r.nextInt(churn.size()));
        int op = r.nextInt(10);
        if (op < 4 && c.live.size() < 3) {
            DataInfoId id = ids.get(r.nextInt(ids.size()));
            String v = "churn:" + valueCounter.incrementAndGet();
            c.live.add(c.client.publish(id, List.of(v)));
        } else if (op < 8 && !c.live.isEmpty()) {
            Publication p = c.live.get(r.nextInt(c.live.size()));
            p.update(List.of("churn:" + valueCounter.incrementAndGet()));
        } else if (!c.live.isEmpty()) {
            Publication p = c.live.remove(r.nextInt(c.live.size()));
            p.unregister();
        }
    }

    /** Injects one fault chosen by the seed; returns what undoes it (run after the next pause). */
    private Runnable injectFault() throws Exception {
        int kind = random.nextInt(7);
        switch (kind) {
            case 0 -> {
                if (cluster.data().size() < 3) {
                    return null;
                }
                DataServer victim = cluster.data().get(random.nextInt(cluster.data().size()));
                count("kill data server");
                log("kill data server " + victim.address());
                cluster.stopDataServer(victim);
                return () -> {
                    DataServer fresh = cluster.addDataServer();
                    log("start empty data server " + fresh.address());
                };
            }
            case 1 -> {
                if (cluster.data().size() < 3) {
                    return null;
                }
                DataServer leaving = cluster.data().get(random.nextInt(cluster.data().size()));
                count("drain data server");
                log("drain data server " + leaving.address());
                leaving.drain(Duration.ofSeconds(15));
                cluster.stopDataServer(leaving);
                return () -> log("start empty data server " + cluster.addDataServer().address());
            }
            case 2 -> {
                int i = random.nextInt(cluster.sessions().size());
                SessionServer old = cluster.sessions().get(i);
                boolean graceful = random.nextBoolean();
                count(graceful ? "drain session" : "stop session abruptly");
                log((graceful ? "drain" : "stop") + " session " + old.sessionId());
                if (graceful) {
                    old.drain(Duration.ofSeconds(5));
                }
                SessionServer fresh = cluster.replaceSession(i);
                anchorProxies.get(i).retarget(fresh.port());
                faultyProxies.get(i).retarget(fresh.port());
                anchorProxies.get(i).resetAll(); // connections to the old session are gone anyway
                faultyProxies.get(i).resetAll();
                log("session " + i + " now " + fresh.sessionId());
                return null;
            }
            case 3 -> {
                FaultyProxy p = faultyProxies.get(random.nextInt(faultyProxies.size()));
                count("reset client connections");
                log("reset client connections via proxy :" + p.port());
                p.resetAll();
                return null;
            }
            case 4 -> {
                FaultyProxy p = faultyProxies.get(random.nextInt(faultyProxies.size()));
                long delay = 20 + random.nextInt(200);
                count("delay client traffic");
                log("delay " + delay + " ms on proxy :" + p.port());
                p.setDelayMillis(delay);
                return () -> p.setDelayMillis(0);
            }
            case 5 -> {
                FaultyProxy p = faultyProxies.get(random.nextInt(faultyProxies.size()));
                count("blackhole client traffic");
                log("blackhole proxy :" + p.port());
                p.setBlackhole(true);
                return () -> {
                    p.setBlackhole(false);
                    log("blackhole over on :" + p.port());
                };
            }
            default -> {
                ChurnClient dying = churn.get(random.nextInt(churn.size()));
                count("client dies");
                long now = System.nanoTime();
                for (Publication p : dying.live) {
                    for (String v : p.values()) {
                        deadValues.put(v, now);
                    }
                }
                log("client dies with " + dying.live.size() + " publishers");
                churn.remove(dying);
                dying.client.close();
                churn.add(new ChurnClient(newClient(faultyProxies, "churn")));
                return null;
            }
        }
    }

    private void count(String kind) {
        faults.merge(kind, 1, Integer::sum);
    }

    /** Invariants 1/5 (anchors never missing once seen) and 2 (dead values gone after the bound). */
    private void checkContinuously() {
        long bound = DEAD_BOUND.toNanos();
        for (Subscriber s : subscribers) {
            String anchor = "anchor:" + s.id.dataId();
            boolean seen = false;
            for (int i = 0; i < s.pushes.size(); i++) {
                List<String> values = s.pushes.get(i).values();
                if (seen && !values.contains(anchor)) {
                    violation("invariants 1/5: push v" + s.pushes.get(i).version() + " of " + s.id
                            + " lacks live publisher " + anchor + ": " + values);
                }
                seen |= values.contains(anchor);
                long at = s.times.get(i)[0];
                for (String v : values) {
                    Long died = deadValues.get(v);
                    if (died != null && at - died > bound) {
                        violation("invariant 2: push v" + s.pushes.get(i).version() + " of " + s.id + " still has "
                                + v + " " + (at - died) / 1_000_000 + " ms after its client died");
                    }
                }
            }
        }
    }

    private void violation(String text) {
        if (!violations.contains(text)) {
            violations.add(text);
            log("VIOLATION " + text);
        }
    }

    /** Invariant 3: once faults stop, every subscriber converges to exactly the live publishers. */
    private void settle() {
        try {
            await().atMost(SETTLE_BOUND).until(() -> {
                for (Subscriber s : subscribers) {
                    if (!new HashSet<>(s.last() == null ? List.of() : s.last()).equals(expected(s.id))) {
                        return false;
                    }
                }
                return true;
            });
            log("settled");
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            for (Subscriber s : subscribers) {
                Set<String> exp = expected(s.id);
                if (!new HashSet<>(s.last() == null ? List.of() : s.last()).equals(exp)) {
                    violation("invariant 3: " + s.id + " did not converge within " + SETTLE_BOUND.toSeconds()
                            + " s: has " + s.last() + ", expected " + exp);
                }
            }
        }
    }

    private Set<String> expected(DataInfoId id) {
        Set<String> out = new HashSet<>();
        out.add("anchor:" + id.dataId());
        for (ChurnClient c : churn) {
            for (Publication p : c.live) {
                if (p.dataInfoId().equals(id)) {
                    out.addAll(p.values());
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (RegistryClient c : allClients) {
            c.close();
        }
        anchorProxies.forEach(FaultyProxy::close);
        faultyProxies.forEach(FaultyProxy::close);
        cluster.close();
    }
}
