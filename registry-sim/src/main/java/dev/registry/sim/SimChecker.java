package dev.registry.sim;

import dev.registry.common.model.DataInfoId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The invariants a simulated run must keep, checked as it goes (the convergence at the end is
 * {@link SimWorld#checkConverged}):
 * <ol>
 *   <li>no shrunken push: once a session pushed an acknowledged value, every later push of that
 *       id from it holds the value while it is still registered;</li>
 *   <li>withdrawn values stay withdrawn: a value unregistered or replaced with an
 *       acknowledgement is in no push fetched more than {@link #WITHDRAW_BOUND_MICROS} after;</li>
 *   <li>pushed versions never go back, per session and id;</li>
 *   <li>one leader per slot and table epoch: no two data servers accept writes for the same
 *       slot at the same epoch.</li>
 * </ol>
 * Every violation is kept with the simulated time; the history (faults, violations) is what a
 * replay of the seed must reproduce byte for byte.
 */
final class SimChecker {
    /** How long a withdrawn value may still be pushed (pushes in flight, the leader's notice). */
    static final long WITHDRAW_BOUND_MICROS = 3_000_000;
    /** A withdrawal whose session crashed: meta's session lease, the data servers' session grace, slack. */
    static final long DEAD_BOUND_MICROS = 8_000_000 + SimDataNode.SESSION_GRACE_MILLIS * 1000;

    private final SimLoop loop;
    private final List<String> history = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Map<String, DataInfoId> valueIds = new HashMap<>();
    /** Values acknowledged and not withdrawn since. */
    private final Set<String> live = new HashSet<>();
    /** Values a client already replaced or unregistered (an acknowledgement arriving after that is not "live"). */
    private final Set<String> left = new HashSet<>();
    /** Withdrawn values: when the withdrawal was acknowledged. */
    private final Map<String, Long> withdrawnAt = new HashMap<>();
    private final Map<String, String> withdrawnVia = new HashMap<>();
    /** Withdrawn values whose session crashed: when their dead-session bound began. */
    private final Map<String, Long> deadBoundFrom = new HashMap<>();
    /** Per session and id: acknowledged values it pushed. */
    private final Map<String, Set<String>> seen = new HashMap<>();
    private final Map<String, Long> lastVersion = new HashMap<>();
    private final Map<String, String> leaderOfEpoch = new HashMap<>();
    private final Map<String, Integer> faults = new TreeMap<>();
    private long operations;
    private long pushes;
    /** Every push (who, what, when) and every history line, hashed: two runs of a seed must agree on it. */
    private final java.security.MessageDigest trace = newDigest();

    private static java.security.MessageDigest newDigest() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void traced(String line) {
        trace.update(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        trace.update((byte) '\n');
    }

    /** SHA-256 (first 16 hex digits) of the run's trace: every push and history line in order. */
    String traceHash() {
        try {
            java.security.MessageDigest copy = (java.security.MessageDigest) trace.clone();
            return java.util.HexFormat.of().formatHex(copy.digest()).substring(0, 16);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    SimChecker(SimLoop loop) {
        this.loop = loop;
    }

    void log(String line) {
        String stamped = String.format(java.util.Locale.ROOT, "%9.3f s  %s", loop.nowMicros() / 1e6, line);
        history.add(stamped);
        traced(stamped);
    }

    void fault(String kind, String detail) {
        faults.merge(kind, 1, Integer::sum);
        log(kind + (detail.isEmpty() ? "" : " " + detail));
    }

    void violation(String what) {
        violations.add(String.format(java.util.Locale.ROOT, "%.3f s: %s", loop.nowMicros() / 1e6, what));
        log("VIOLATION " + what);
    }

    /** A publish or update of {@code value} was acknowledged. */
    void acknowledged(String value, DataInfoId id) {
        valueIds.put(value, id);
        if (!left.contains(value)) {
            live.add(value);
        }
        operations++;
    }

    /**
     * A client asked to unregister or replace {@code value}: from now on a push may lack it (the
     * session may have sent the change already), though it may still show until {@link #withdrawn}.
     */
    void leaving(String value) {
        left.add(value);
        live.remove(value);
    }

    /** An unregister or a replacement of {@code value} was acknowledged through {@code session}: its bound starts. */
    void withdrawn(String value, String session) {
        live.remove(value);
        withdrawnAt.put(value, loop.nowMicros());
        withdrawnVia.put(value, session);
        Long crashedAt = crashedCarrierAt.get(value);
        if (crashedAt != null && loop.nowMicros() - crashedAt < DEAD_BOUND_MICROS) {
            deadBoundFrom.merge(value, crashedAt, Math::max);
        }
        operations++;
    }

    /**
     * A session crashed. A withdrawal it acknowledged may not have reached every copy yet (a
     * follower that lagged, then led); with the session gone, those copies go with its lease on
     * the data servers: such values get the dead-session bound from now, as the chaos checker
     * gives closes behind cut links.
     */
    void sessionCrashed(String session) {
        long now = loop.nowMicros();
        withdrawnVia.forEach((v, s) -> {
            if (s.equals(session) && now - withdrawnAt.get(v) < DEAD_BOUND_MICROS) {
                deadBoundFrom.put(v, now);
            }
        });
    }

    /** Values a crashed session had written: when it crashed. */
    private final Map<String, Long> crashedCarrierAt = new HashMap<>();

    /**
     * {@code value} was registered through a session that just crashed. Its client re-registers it
     * through another session, but the data servers keep the crashed session's copy (another
     * connection's) until they drop that session's publishers: an unregister through the new
     * session that lands before the re-registration does (nothing of its connection to remove)
     * leaves the old copy to the dead-session bound, counted from the crash.
     */
    void carriedByCrashedSession(String value) {
        crashedCarrierAt.put(value, loop.nowMicros());
    }

    /** An operation on {@code value} failed: whether it is registered is unknown until the session retried. */
    void uncertain(String value) {
        live.remove(value);
    }

    /** How long pushes from a slot whose read gate opened at the deadline are excused (the missing sessions' sync). */
    static final long LATE_GATE_EXCUSE_MICROS = 5_000_000;
    /** "leader/slot" to the end of its excuse. */
    private final Map<String, Long> lateGates = new HashMap<>();
    private long lateGateCount;

    /** {@code leader}'s read gate of {@code slot} opened at the reconcile deadline, a session not synced. */
    void lateGate(String leader, int slot) {
        lateGates.put(leader + "/" + slot, loop.nowMicros() + LATE_GATE_EXCUSE_MICROS);
        lateGateCount++;
        log(leader + ": slot " + slot + " serves reads after the reconcile deadline (a session did not sync)");
    }

    long lateGates() {
        return lateGateCount;
    }

    /** A session restarted empty: its subscribers are new (their pushes start over). */
    void sessionRestarted(String session) {
        seen.keySet().removeIf(k -> k.startsWith(session + "/"));
        lastVersion.keySet().removeIf(k -> k.startsWith(session + "/"));
    }

    void leaderAccepted(int slot, long epoch, String server) {
        String previous = leaderOfEpoch.putIfAbsent(slot + "@" + epoch, server);
        if (previous != null && !previous.equals(server)) {
            violation("invariant 4: slot " + slot + " epoch " + epoch + " had writes accepted by " + previous
                    + " and " + server);
        }
    }

    /** A session pushed {@code values} of {@code id} at {@code version}, fetched at {@code requestedAt}. */
    void pushed(String session, DataInfoId id, long version, List<String> values, long requestedAt, String leader,
                int slot, String source) {
        pushes++;
        boolean excused = loop.nowMicros() < lateGates.getOrDefault(leader + "/" + slot, 0L);
        String key = session + "/" + id.dataId();
        traced(loop.nowMicros() + " " + key + " v" + version + " " + values);
        Long before = lastVersion.put(key, version);
        if (before != null && version <= before) {
            violation("invariant 3: " + key + " pushed version " + version + " after " + before);
        }
        Set<String> had = seen.computeIfAbsent(key, k -> new HashSet<>());
        Set<String> now = new HashSet<>(values);
        for (String v : new ArrayList<>(had)) {
            if (!live.contains(v)) {
                had.remove(v);
            } else if (!now.contains(v) && !excused) {
                violation("invariant 1: " + key + " push v" + version + " from " + source + " lacks " + v
                        + ", pushed before and still registered: " + values);
            }
        }
        for (String v : values) {
            if (live.contains(v)) {
                had.add(v);
            }
            Long gone = withdrawnAt.get(v);
            Long deadFrom = deadBoundFrom.get(v);
            boolean late = gone != null && requestedAt - gone > WITHDRAW_BOUND_MICROS
                    && (deadFrom == null || requestedAt - deadFrom > DEAD_BOUND_MICROS);
            if (late && !excused) {
                violation("invariant 2: " + key + " push v" + version + " from " + source + " still has " + v + ", withdrawn "
                        + (requestedAt - gone) / 1000 + " ms before it was fetched");
            }
        }
    }

    List<String> violations() {
        return violations;
    }

    List<String> history() {
        return history;
    }

    Map<String, Integer> faults() {
        return faults;
    }

    long operations() {
        return operations;
    }

    long pushes() {
        return pushes;
    }
}
