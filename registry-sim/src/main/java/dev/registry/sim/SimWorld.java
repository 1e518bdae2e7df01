package dev.registry.sim;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotHash;
import dev.registry.data.replication.SlotReplication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One simulated cluster for one seed: a meta, data servers, sessions and the workload of their
 * clients (publish, update, unregister), plus what faults need (crash, restart, add, drain).
 * Everything runs on the {@link SimLoop}: the same seed gives the same history.
 */
final class SimWorld {
    static final int SLOTS = 32;
    static final int IDS = 12;
    static final int SESSIONS = 2;
    static final int INITIAL_DATA_SERVERS = 4;
    static final SlotReplication.Settings REPLICATION = new SlotReplication.Settings(10_000, 64,
            Duration.ofMillis(500), Duration.ofSeconds(10));

    final SimLoop loop;
    final SimNetwork net;
    final SimChecker checker;
    final SimMeta meta;
    final List<SimSession> sessions = new ArrayList<>();
    final List<DataInfoId> ids = new ArrayList<>();
    /** Data servers by address, the running incarnation (crashed ones stay until restarted). */
    final Map<String, SimDataNode> data = new TreeMap<>();
    private final Map<String, SimClock> clocks = new HashMap<>();
    /** Per session: its clients' publishers now (registerId -> publisher), as the clients hold them. */
    private final List<Map<String, Publisher>> clientPublishers = new ArrayList<>();
    private int nextData = 1;
    private long counter;

    SimWorld(long seed) {
        loop = new SimLoop(seed);
        checker = new SimChecker(loop);
        net = new SimNetwork(loop, bug -> checker.violation("bug: " + bug));
        for (int i = 0; i < IDS; i++) {
            ids.add(DataInfoId.of("sim.service." + i));
        }
        List<String> sessionIds = new ArrayList<>();
        for (int i = 1; i <= SESSIONS; i++) {
            sessionIds.add("session-" + i);
        }
        meta = new SimMeta("meta", loop, net, new SimClock(loop, 0), SLOTS, sessionIds, checker::log);
        for (String s : sessionIds) {
            sessions.add(new SimSession(s, loop, net, checker, meta.address(), SLOTS, ids));
            clientPublishers.add(new LinkedHashMap<>());
        }
        for (int i = 0; i < INITIAL_DATA_SERVERS; i++) {
            addDataServer();
        }
    }

    // ---- membership ----

    String addDataServer() {
        String address = "data-" + nextData++;
        startDataServer(address);
        return address;
    }

    void startDataServer(String address) {
        SimClock clock = clocks.computeIfAbsent(address, a -> new SimClock(loop, loop.random().nextInt(200) - 100));
        data.put(address, new SimDataNode(address, loop, net, checker, meta.address(), clock, SLOTS, REPLICATION));
    }

    SimClock clockOf(String address) {
        return clocks.get(address);
    }

    List<String> upDataServers() {
        return data.keySet().stream().filter(net::isUp).collect(Collectors.toList());
    }

    // ---- sessions crash ----

    /**
     * A session crashes: what its clients were waiting for fails, and each client reconnects to
     * a running session and re-registers its publications one version up (as RegistryClient
     * does); the crashed session's copies on the data servers go when its lease runs out, or are
     * replaced by those re-registrations first.
     */
    void crashSession(int i) {
        SimSession dead = sessions.get(i);
        net.crash(dead.id());
        dead.crashed();
        checker.sessionCrashed(dead.id());
        clientPublishers.get(i).values().forEach(p -> checker.carriedByCrashedSession(p.values().get(0)));
        moveClients(i);
    }

    private void moveClients(int from) {
        Map<String, Publisher> moving = clientPublishers.get(from);
        if (moving.isEmpty()) {
            return;
        }
        List<Integer> running = new ArrayList<>();
        for (int j = 0; j < sessions.size(); j++) {
            if (j != from && net.isRunning(sessions.get(j).id())) {
                running.add(j);
            }
        }
        if (running.isEmpty()) {
            loop.afterMillis(200, () -> moveClients(from)); // no session to go to yet: the clients keep trying
            return;
        }
        int to = running.get(loop.random().nextInt(running.size()));
        SimSession target = sessions.get(to);
        for (Publisher p : new ArrayList<>(moving.values())) {
            Publisher again = new Publisher(p.dataInfoId(), p.registerId(), p.version() + 1, p.values(), p.appName(),
                    p.ip(), p.zone(), p.registeredAtMillis(), target.id(), target.id() + "#moved");
            clientPublishers.get(to).put(again.registerId(), again);
            // As the chaos checker's excuse for clients re-registering after their session went: the
            // value is not required in pushes until its re-registration is acknowledged (a session
            // restarted under the dead one's id may clear the old copy before that lands).
            String value = again.values().get(0);
            checker.uncertain(value);
            target.put(again).whenComplete((v, e) -> {
                if (e == null && clientPublishers.get(to).get(again.registerId()) == again) {
                    checker.acknowledged(value, again.dataInfoId());
                }
            });
        }
        moving.clear();
    }

    /** A crashed session comes back empty under its address; its clients stay where they moved. */
    void restartSession(int i) {
        String id = sessions.get(i).id();
        sessions.set(i, new SimSession(id, loop, net, checker, meta.address(), SLOTS, ids));
        checker.sessionRestarted(id);
    }

    // ---- workload ----

    /** One client operation every few milliseconds, for as long as the run lasts. */
    void startWorkload(long untilMicros) {
        loop.afterMillis(5 + loop.random().nextInt(25), () -> {
            if (loop.nowMicros() < untilMicros) {
                step();
                startWorkload(untilMicros);
            }
        });
    }

    private void step() {
        int s = loop.random().nextInt(sessions.size());
        SimSession session = sessions.get(s);
        if (!net.isRunning(session.id())) {
            return; // its clients wait for it
        }
        Map<String, Publisher> mine = clientPublishers.get(s);
        int op = loop.random().nextInt(10);
        if (mine.isEmpty() || (op < 4 && mine.size() < 40)) {
            DataInfoId id = ids.get(loop.random().nextInt(ids.size()));
            long n = ++counter;
            Publisher p = new Publisher(id, "r" + n, 1, List.of("v" + n), "sim", "10.0.0." + (s + 1), null, 0,
                    session.id(), session.id() + "#c" + (n % 3));
            mine.put(p.registerId(), p);
            String value = "v" + n;
            session.put(p).whenComplete((v, e) -> outcome(e, () -> checker.acknowledged(value, id), value));
        } else if (op < 8) {
            Publisher old = pick(mine);
            long n = ++counter;
            Publisher p = new Publisher(old.dataInfoId(), old.registerId(), old.version() + 1, List.of("v" + n),
                    old.appName(), old.ip(), old.zone(), old.registeredAtMillis(), old.sessionId(), old.connectionId());
            mine.put(p.registerId(), p);
            String value = "v" + n;
            String oldValue = old.values().get(0);
            checker.leaving(oldValue);
            session.put(p).whenComplete((v, e) -> {
                outcome(e, () -> {
                    checker.acknowledged(value, p.dataInfoId());
                    checker.withdrawn(oldValue, session.id());
                }, value);
            });
        } else {
            Publisher old = pick(mine);
            mine.remove(old.registerId());
            String value = old.values().get(0);
            checker.leaving(value);
            session.remove(old.dataInfoId(), old.registerId())
                    .whenComplete((v, e) -> outcome(e, () -> checker.withdrawn(value, session.id()), value));
        }
    }

    private void outcome(Throwable error, Runnable acknowledged, String value) {
        if (error == null) {
            acknowledged.run();
        } else {
            checker.uncertain(value);
        }
    }

    private Publisher pick(Map<String, Publisher> publishers) {
        List<Publisher> all = new ArrayList<>(publishers.values());
        return all.get(loop.random().nextInt(all.size()));
    }

    // ---- the end state ----

    /**
     * After the faults stopped and the cluster settled: every slot's leader holds exactly what the
     * sessions hold, every follower what its leader holds, every session pushed exactly that.
     * Returns the number of differences (each one is a violation).
     */
    int checkConverged() {
        int before = checker.violations().size();
        Map<DataInfoId, Set<String>> expected = new TreeMap<>((a, b) -> a.canonical().compareTo(b.canonical()));
        ids.forEach(id -> expected.put(id, new TreeSet<>()));
        Map<Integer, Set<String>> expectedBySlot = new TreeMap<>();
        for (SimSession s : sessions) {
            for (Publisher p : s.desiredPublishers()) {
                expected.get(p.dataInfoId()).addAll(p.values());
                expectedBySlot.computeIfAbsent(SlotHash.slotOf(p.dataInfoId(), SLOTS), x -> new TreeSet<>())
                        .add(describe(p));
            }
        }
        for (SlotAssignment a : meta.table().slots()) {
            Set<String> want = expectedBySlot.getOrDefault(a.slotId(), Set.of());
            List<String> copies = new ArrayList<>();
            copies.add(a.leader());
            copies.addAll(a.followers());
            for (String holder : copies) {
                SimDataNode node = data.get(holder);
                if (node == null || !net.isUp(holder)) {
                    checker.violation("convergence: slot " + a.slotId() + " assigned to " + holder + ", which is down");
                    continue;
                }
                Set<String> has = new TreeSet<>();
                StringBuilder versions = new StringBuilder();
                for (DataInfoId id : ids) {
                    if (SlotHash.slotOf(id, SLOTS) == a.slotId()) {
                        Datum d = node.store().get(a.slotId(), id);
                        d.publishers().forEach(p -> has.add(describe(p)));
                        SimDataNode leader = data.get(a.leader());
                        versions.append(' ').append(id.dataId()).append(" v").append(d.version()).append(" (leader v")
                                .append(leader == null ? -1 : leader.store().get(a.slotId(), id).version()).append(')');
                    }
                }
                if (!has.equals(want)) {
                    checker.violation("convergence: slot " + a.slotId() + " on " + holder
                            + (holder.equals(a.leader()) ? " (leader)" : " (follower of " + a.leader() + ")") + " holds "
                            + diff(has, want) + ";" + versions);
                }
            }
        }
        for (SimSession s : sessions) {
            for (DataInfoId id : ids) {
                List<String> last = s.lastPush(id);
                Set<String> got = last == null ? Set.of() : new TreeSet<>(last);
                if (!got.equals(expected.get(id))) {
                    checker.violation("convergence: " + s.id() + " last pushed " + id.dataId() + " as "
                            + diff(got, expected.get(id)));
                }
            }
        }
        return checker.violations().size() - before;
    }

    private static String describe(Publisher p) {
        return p.dataInfoId().dataId() + "/" + p.registerId() + "@" + p.version() + "=" + p.values();
    }

    private static String diff(Set<String> has, Set<String> want) {
        Set<String> extra = new TreeSet<>(has);
        extra.removeAll(want);
        Set<String> missing = new TreeSet<>(want);
        missing.removeAll(has);
        return "extra " + extra + ", missing " + missing;
    }
}
