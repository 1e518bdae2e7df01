package dev.registry.sim;

import dev.registry.common.slot.SlotAssignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fault kinds of the simulation and how each is injected and healed. One is drawn every
 * {@code 300-1,300} ms of simulated time; a kind whose precondition does not hold (nothing to
 * restart, too few servers to lose two) is drawn again, so every count is of a fault that ran.
 */
final class SimFaults {
    static final List<String> KINDS = List.of(
            "crash data server", "crash a slot leader", "two replicas lost at once", "pause data server",
            "isolate data server", "data server cannot send", "data server cannot receive", "cut replication links",
            "cut session from data server", "cut session from meta", "meta outage", "slow data server",
            "lossy network", "reorder across connections", "duplicate deliveries", "clock jumps forward",
            "clock jumps backward", "clock drifts", "add data server", "drain data server", "rolling restart",
            "pause session", "meta clock jumps forward", "crash session");

    private static final int MIN_DATA = 3;
    private static final int MAX_DATA = 6;

    private final SimWorld w;
    private final Random random;
    private final List<String> kinds;
    /**
     * Per session, until when a fault keeps it silent towards meta or the data servers (plus a
     * second): a second such fault waits, or their sum would pass meta's session lease, past
     * which a silent session is dead to the cluster by design.
     */
    private final java.util.Map<String, Long> sessionQuietUntil = new java.util.TreeMap<>();

    private boolean sessionBusy(String session) {
        return w.loop.nowMillis() < sessionQuietUntil.getOrDefault(session, 0L);
    }

    private void sessionQuiet(String session, long millis) {
        sessionQuietUntil.put(session, w.loop.nowMillis() + millis + 1_000);
    }

    /** @param kinds the fault kinds to draw from (a subset of {@link #KINDS}) */
    SimFaults(SimWorld world, List<String> kinds) {
        this.w = world;
        this.random = world.loop.random();
        for (String k : kinds) {
            if (!KINDS.contains(k)) {
                throw new IllegalArgumentException("unknown fault kind '" + k + "'; kinds: " + KINDS);
            }
        }
        this.kinds = List.copyOf(kinds);
    }

    /** Injects faults until {@code untilMicros}. */
    void start(long untilMicros) {
        w.loop.afterMillis(300 + random.nextInt(1_000), () -> {
            if (w.loop.nowMicros() < untilMicros) {
                inject();
                start(untilMicros);
            }
        });
    }

    private void inject() {
        for (int attempt = 0; attempt < 10; attempt++) {
            if (tryKind(kinds.get(random.nextInt(kinds.size())))) {
                return;
            }
        }
    }

    private long millis(int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    private String anyUpData() {
        List<String> up = w.upDataServers();
        return up.isEmpty() ? null : up.get(random.nextInt(up.size()));
    }

    private String anySession() {
        return w.sessions.get(random.nextInt(w.sessions.size())).id();
    }

    private void restartLater(String address, long delayMillis) {
        w.loop.afterMillis(delayMillis, () -> {
            if (!w.net.isUp(address)) {
                w.startDataServer(address);
                w.checker.log("restarted " + address + " (empty)");
            }
        });
    }

    private boolean tryKind(String kind) {
        int up = w.upDataServers().size();
        switch (kind) {
            case "crash data server", "crash a slot leader", "two replicas lost at once" -> {
                if (up <= MIN_DATA - 1 + (kind.startsWith("two") ? 1 : 0)) {
                    return false;
                }
                List<String> victims = new ArrayList<>();
                if (kind.equals("crash data server")) {
                    victims.add(anyUpData());
                } else {
                    SlotAssignment a = w.meta.table().slot(random.nextInt(SimWorld.SLOTS));
                    if (a.leader() == null || !w.net.isUp(a.leader())) {
                        return false;
                    }
                    victims.add(a.leader());
                    if (kind.startsWith("two")) {
                        if (a.followers().isEmpty() || !w.net.isUp(a.followers().get(0))) {
                            return false;
                        }
                        victims.add(a.followers().get(0));
                    }
                }
                w.checker.fault(kind, String.valueOf(victims));
                for (String v : victims) {
                    w.net.crash(v);
                    restartLater(v, millis(500, 4_000));
                }
                return true;
            }
            case "pause data server", "pause session" -> {
                String node = kind.endsWith("session") ? anySession() : anyUpData();
                if (node == null || !w.net.isRunning(node) || (kind.endsWith("session") && sessionBusy(node))) {
                    return false;
                }
                // A session silent longer than meta's session lease is dead to the cluster by design: stay under it.
                long d = kind.endsWith("session") ? millis(300, 2_500) : millis(300, 3_000);
                if (kind.endsWith("session")) {
                    sessionQuiet(node, d);
                }
                w.checker.fault(kind, node + " for " + d + " ms");
                w.net.pause(node, true);
                w.loop.afterMillis(d, () -> w.net.pause(node, false));
                return true;
            }
            case "isolate data server", "data server cannot send", "data server cannot receive",
                 "cut replication links" -> {
                String node = anyUpData();
                if (node == null) {
                    return false;
                }
                // A data server that hears nothing silences every session towards it: its session
                // lease runs for all of them, so it counts as a silencing fault of each (seed 700917:
                // one deaf for 4 s, then a session paused for 2.5 s, was expired as dead, by design).
                boolean deaf = kind.equals("isolate data server") || kind.equals("data server cannot receive");
                if (deaf && w.sessions.stream().anyMatch(s -> sessionBusy(s.id()))) {
                    return false;
                }
                List<String> others = new ArrayList<>(w.data.keySet());
                if (!kind.startsWith("cut")) {
                    others.add(w.meta.address());
                    w.sessions.forEach(s -> others.add(s.id()));
                }
                others.remove(node);
                boolean out = !kind.endsWith("receive");
                boolean in = !kind.endsWith("send");
                long d = millis(300, 4_000);
                if (deaf) {
                    w.sessions.forEach(s -> sessionQuiet(s.id(), d));
                }
                w.checker.fault(kind, node + " for " + d + " ms");
                cut(node, others, out, in, true);
                w.loop.afterMillis(d, () -> cut(node, others, out, in, false));
                return true;
            }
            case "cut session from data server", "cut session from meta" -> {
                String session = anySession();
                String other = kind.endsWith("meta") ? w.meta.address() : anyUpData();
                if (other == null || sessionBusy(session)) {
                    return false;
                }
                // A session cut from meta longer than its session lease is dead to the cluster by design.
                long d = kind.endsWith("meta") ? millis(300, 2_500) : millis(300, 4_000);
                sessionQuiet(session, d);
                w.checker.fault(kind, session + " / " + other + " for " + d + " ms");
                cut(session, List.of(other), true, true, true);
                w.loop.afterMillis(d, () -> cut(session, List.of(other), true, true, false));
                return true;
            }
            case "meta outage" -> {
                long d = millis(300, 3_000);
                w.checker.fault(kind, d + " ms");
                w.net.pause(w.meta.address(), true);
                w.loop.afterMillis(d, () -> w.net.pause(w.meta.address(), false));
                return true;
            }
            case "slow data server" -> {
                String node = anyUpData();
                if (node == null) {
                    return false;
                }
                long extra = millis(20, 300);
                long d = millis(500, 4_000);
                w.checker.fault(kind, node + " +" + extra + " ms for " + d + " ms");
                w.net.slow(node, extra * 1000);
                w.loop.afterMillis(d, () -> w.net.slow(node, 0));
                return true;
            }
            case "lossy network", "reorder across connections", "duplicate deliveries" -> {
                long d = millis(300, 3_000);
                double p = 0.02 + random.nextDouble() * 0.15;
                w.checker.fault(kind, (kind.startsWith("reorder") ? "" : String.format(java.util.Locale.ROOT,
                        "p=%.2f ", p)) + "for " + d + " ms");
                if (kind.startsWith("lossy")) {
                    w.net.loss(p);
                    w.loop.afterMillis(d, () -> w.net.loss(0));
                } else if (kind.startsWith("reorder")) {
                    w.net.reordering(true);
                    w.loop.afterMillis(d, () -> w.net.reordering(false));
                } else {
                    w.net.duplicates(p);
                    w.loop.afterMillis(d, () -> w.net.duplicates(0));
                }
                return true;
            }
            case "clock jumps forward", "clock jumps backward", "clock drifts", "meta clock jumps forward" -> {
                String node = kind.startsWith("meta") ? null : anyUpData();
                SimClock clock = node == null ? null : w.clockOf(node);
                if (kind.startsWith("meta")) {
                    long jump = millis(500, 5_000);
                    w.checker.fault(kind, "+" + jump + " ms");
                    metaClockJump(jump);
                } else if (clock == null) {
                    return false;
                } else if (kind.endsWith("drifts")) {
                    double rate = 0.8 + random.nextDouble() * 0.45; // 0.8x-1.25x: far beyond NTP's slew, short of a frozen clock
                    long d = millis(1_000, 5_000);
                    w.checker.fault(kind, String.format(java.util.Locale.ROOT, "%s at %.2fx for %d ms", node, rate, d));
                    clock.drift(rate);
                    w.loop.afterMillis(d, () -> clock.drift(1.0));
                } else {
                    long jump = millis(1_000, 30_000) * (kind.endsWith("backward") ? -1 : 1);
                    w.checker.fault(kind, node + " " + jump + " ms");
                    clock.jump(jump);
                }
                return true;
            }
            case "crash session" -> {
                int i = random.nextInt(w.sessions.size());
                String id = w.sessions.get(i).id();
                boolean othersUp = w.sessions.stream().allMatch(s -> w.net.isUp(s.id()));
                if (!othersUp || w.sessions.stream().anyMatch(s -> sessionBusy(s.id()))) {
                    return false; // its clients need a session that can take them
                }
                long d = millis(500, 4_000);
                sessionQuiet(id, d);
                w.checker.fault(kind, id + ", back empty after " + d + " ms");
                w.crashSession(i);
                w.loop.afterMillis(d, () -> {
                    if (!w.net.isUp(id)) {
                        w.restartSession(i);
                        w.checker.log("restarted " + id + " (empty)");
                    }
                });
                return true;
            }
            case "add data server" -> {
                if (up >= MAX_DATA) {
                    return false;
                }
                w.checker.fault(kind, w.addDataServer());
                return true;
            }
            case "drain data server" -> {
                if (up <= MIN_DATA) {
                    return false;
                }
                String node = anyUpData();
                w.checker.fault(kind, node);
                w.net.send(node, w.meta.address(), new SimMeta.Leave(node));
                // The real drain waits until its slots are readable elsewhere; here it stops after a while.
                w.loop.afterMillis(millis(1_500, 3_000), () -> {
                    w.net.crash(node);
                    w.data.remove(node);
                    w.checker.log("drained " + node + " stopped");
                });
                return true;
            }
            case "rolling restart" -> {
                List<String> all = w.upDataServers();
                if (all.size() < MIN_DATA) {
                    return false;
                }
                w.checker.fault(kind, String.valueOf(all));
                long at = 0;
                for (String node : all) {
                    w.loop.afterMillis(at, () -> {
                        if (w.net.isUp(node)) {
                            w.net.crash(node);
                            restartLater(node, 300);
                        }
                    });
                    at += 1_500;
                }
                return true;
            }
            default -> throw new IllegalStateException("unknown fault kind " + kind);
        }
    }

    private void metaClockJump(long millis) {
        w.meta.clockJump(millis);
    }

    private void cut(String node, List<String> others, boolean out, boolean in, boolean on) {
        for (String o : others) {
            if (out) {
                w.net.cut(node, o, on);
            }
            if (in) {
                w.net.cut(o, node, on);
            }
        }
    }

    /** Ends every fault still active: links whole, nodes running, crashed servers restarted, clocks at rate 1. */
    void healAll() {
        w.net.healAll();
        for (int i = 0; i < w.sessions.size(); i++) {
            if (!w.net.isUp(w.sessions.get(i).id())) {
                w.restartSession(i);
            }
        }
        w.net.pause(w.meta.address(), false);
        w.sessions.forEach(s -> w.net.pause(s.id(), false));
        for (String node : new ArrayList<>(w.data.keySet())) {
            w.net.pause(node, false);
            if (!w.net.isUp(node)) {
                w.startDataServer(node);
            }
            w.clockOf(node).drift(1.0);
        }
    }
}
