package dev.registry.server.chaos;

import dev.registry.client.RegistryClient;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;

/**
 * Records every push every subscriber receives and the ground truth, and checks DESIGN.md's
 * invariants 1-5 while faults run and after the cluster settles:
 * <ol>
 *   <li>anchor publishers (one per id, of a client that is never closed) are in every push once
 *       a subscriber has seen them: no live publisher lost, no fault-caused shrink (1, 5). The
 *       one exception is a partition of the anchor's own connection (its session paused, the
 *       link silent): to the registry that client is indistinguishable from a dead one, so its
 *       publishers may be missing from pushes from the start of the pause until
 *       {@link #deadBound} after it ends ({@link #excuseAnchors});
 *   <li>values of closed clients are gone from pushes received more than {@link #deadBound}
 *       after the client died (plus the damping hold if its link flapped: a damped client's
 *       publishers are held that long on purpose), or after the last fault that kept the
 *       registry from hearing of the death healed ({@link #restartDeadClocks}) (2);
 *   <li>once faults stop, every subscriber's last push is exactly the live publishers, within
 *       the settle bound (3);
 *   <li>no client ever received an older version than one it had: the client counts them (4).
 * </ol>
 * Threading: pushes are recorded on client threads; everything else is called by one driver
 * thread.
 */
final class InvariantChecker {
    static final String ANCHOR = "anchor:";

    private final long seed;
    private final Duration deadBound;
    private final long start = System.nanoTime();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    /** Values of closed clients, with the time the dead-client bound starts. */
    private final Map<String, Long> deadValues = new ConcurrentHashMap<>();
    /** [from, to] windows (nanoTime) in which a missing anchor is excused; to is MAX_VALUE while open. */
    private final List<long[]> anchorExcuses = new CopyOnWriteArrayList<>();
    private final List<String> history = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> faults = new TreeMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    /** A subscriber's view: every push with the time it arrived. */
    static final class Subscriber {
        final DataInfoId id;
        final List<Long> times = new CopyOnWriteArrayList<>();
        final List<SubscriptionData> pushes = new CopyOnWriteArrayList<>();

        Subscriber(DataInfoId id) {
            this.id = id;
        }

        synchronized void record(SubscriptionData d) {
            times.add(System.nanoTime());
            pushes.add(d);
        }

        List<String> last() {
            return pushes.isEmpty() ? null : pushes.get(pushes.size() - 1).values();
        }
    }

    InvariantChecker(long seed, Duration deadBound) {
        this.seed = seed;
        this.deadBound = deadBound;
    }

    static String anchorValue(DataInfoId id) {
        return ANCHOR + id.dataId();
    }

    Subscriber newSubscriber(DataInfoId id) {
        Subscriber s = new Subscriber(id);
        subscribers.add(s);
        return s;
    }

    long seed() {
        return seed;
    }

    Duration deadBound() {
        return deadBound;
    }

    void log(String event) {
        history.add(String.format("%7.3f s  %s", (System.nanoTime() - start) / 1e9, event));
    }

    void count(String kind) {
        synchronized (faults) {
            faults.merge(kind, 1, Integer::sum);
        }
    }

    Map<String, Integer> faults() {
        synchronized (faults) {
            return new TreeMap<>(faults);
        }
    }

    int pushesChecked() {
        return subscribers.stream().mapToInt(s -> s.pushes.size()).sum();
    }

    List<String> violations() {
        return violations;
    }

    String history() {
        return "seed " + seed + "\n" + String.join("\n", history);
    }

    /** A client was closed with these published values. */
    void clientDied(Collection<String> values) {
        clientDied(values, Duration.ZERO);
    }

    /**
     * A client was closed with these published values; {@code held}: how long a session may keep
     * them on purpose (its link flapped, so it is damped and its publishers are held through a
     * lost link: docs/architecture.md, "Flapping clients"). Their bound starts after the hold.
     */
    void clientDied(Collection<String> values, Duration held) {
        long from = System.nanoTime() + held.toNanos();
        values.forEach(v -> deadValues.put(v, from));
    }

    /**
     * A fault that kept the registry from learning of deaths (a silent link to data servers, a
     * paused node) healed: the bound of clients that died before now starts now.
     */
    void restartDeadClocks() {
        long now = System.nanoTime();
        deadValues.replaceAll((v, t) -> Math.max(t, now));
    }

    /** Opens a window in which anchors may be missing (their client is partitioned); returns its handle. */
    long[] excuseAnchors(String why) {
        long[] w = {System.nanoTime(), Long.MAX_VALUE};
        anchorExcuses.add(w);
        log("anchors excused from now (" + why + ")");
        return w;
    }

    /** The partition ended: the excuse lasts {@link #deadBound} more (reconnect, re-register, push). */
    void endExcuse(long[] window) {
        window[1] = System.nanoTime() + deadBound.toNanos();
    }

    private boolean excused(long at) {
        for (long[] w : anchorExcuses) {
            if (at >= w[0] && at <= w[1]) {
                return true;
            }
        }
        return false;
    }

    /** Invariants 1/5 (anchors never missing once seen) and 2 (dead values gone after the bound). */
    void checkContinuously() {
        long bound = deadBound.toNanos();
        for (Subscriber s : subscribers) {
            String anchor = anchorValue(s.id);
            boolean seen = false;
            int n = Math.min(s.pushes.size(), s.times.size());
            for (int i = 0; i < n; i++) {
                List<String> values = s.pushes.get(i).values();
                long at = s.times.get(i);
                if (seen && !values.contains(anchor) && !excused(at)) {
                    violation("invariants 1/5: push v" + s.pushes.get(i).version() + " of " + s.id
                            + " lacks live publisher " + anchor + ": " + values);
                }
                seen |= values.contains(anchor);
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

    /** Invariant 3: every subscriber's last push becomes exactly {@code expected} within {@code bound}. */
    void checkConverged(Function<DataInfoId, Set<String>> expected, Duration bound) {
        try {
            await().atMost(bound).until(() -> subscribers.stream()
                    .allMatch(s -> lastSet(s).equals(expected.apply(s.id))));
            log("settled");
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            for (Subscriber s : subscribers) {
                Set<String> exp = expected.apply(s.id);
                if (!lastSet(s).equals(exp)) {
                    violation("invariant 3: " + s.id + " did not converge within " + bound.toSeconds()
                            + " s: has " + s.last() + ", expected " + exp);
                }
            }
        }
    }

    /** Invariant 4, as the clients counted it. */
    void checkVersions(Collection<RegistryClient> clients) {
        for (RegistryClient c : clients) {
            if (c.olderPushesDropped() > 0) {
                violation("invariant 4: a client received " + c.olderPushesDropped()
                        + " pushes older than one it had");
            }
        }
    }

    private static Set<String> lastSet(Subscriber s) {
        return new HashSet<>(s.last() == null ? List.of() : s.last());
    }

    private void violation(String text) {
        if (!violations.contains(text)) {
            violations.add(text);
            log("VIOLATION " + text);
            // At once too, so a long run's output shows it beside the servers' logs of that moment.
            System.out.println("chaos seed " + seed + " VIOLATION " + text);
        }
    }
}
