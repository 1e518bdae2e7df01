package dev.registry.meta.membership;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decides when the meta leader may take a data server out of the slot table before its lease
 * runs out. Sessions and peer data servers see a data server's connections close the moment its
 * process dies, and report it; the data lease alone would keep its slots leaderless for the
 * whole lease (6 s by default). A report alone never evicts: the reporter may be the one cut
 * off. It only makes the leader probe the server itself (connect and ping), and the server is
 * evicted when that probe, started after the report, fails and no heartbeat of the server has
 * reached the leader since the probe began. A probe that reaches the server keeps it, and for
 * {@code probeGap} after such a probe further reports are not probed again, so a reporter that
 * keeps failing cannot make the leader probe in a loop. Whatever this says, the lease still
 * expires a server that stops heartbeating.
 *
 * <p>The leader checks its own isolation (IsolationGuard) before acting on {@link Verdict#EVICT}.
 * Pure: time is passed in, the owner runs the probes. Not thread-safe: the owner synchronizes.
 */
public final class DataServerSuspicions {

    /** The outcome of a probe. */
    public enum Verdict { KEEP, EVICT }

    private static final long NEVER = Long.MIN_VALUE / 2;

    private static final class Suspect {
        /** When the probe in flight started, or NEVER when none is. */
        long probeStartedAt = NEVER;
        long lastHeardAt = NEVER;
        long lastReachedAt = NEVER;
    }

    private final long probeGapMillis;
    private final Map<String, Suspect> suspects = new HashMap<>();

    /** @param probeGap how long a probe that reached the server silences further reports about it */
    public DataServerSuspicions(Duration probeGap) {
        if (probeGap.isNegative()) {
            throw new IllegalArgumentException("probe gap must not be negative: " + probeGap);
        }
        this.probeGapMillis = probeGap.toMillis();
    }

    /**
     * {@code reporter} cannot reach {@code server}.
     *
     * @param member whether {@code server} is a live member of the data membership (not leaving):
     *               there is nothing to evict otherwise
     * @return true if the owner must probe {@code server} now and call {@link #probed} with the outcome
     */
    public boolean reported(String server, String reporter, boolean member, long nowMillis) {
        Objects.requireNonNull(server, "server");
        if (!member || server.equals(reporter)) {
            return false;
        }
        Suspect s = suspects.computeIfAbsent(server, k -> new Suspect());
        if (s.probeStartedAt != NEVER || nowMillis - s.lastReachedAt < probeGapMillis) {
            return false;
        }
        s.probeStartedAt = nowMillis;
        return true;
    }

    /** A heartbeat of {@code server} reached the leader: it is alive and connected to the leader. */
    public void heard(String server, long nowMillis) {
        Suspect s = suspects.get(server);
        if (s != null) {
            s.lastHeardAt = Math.max(s.lastHeardAt, nowMillis);
        }
    }

    /**
     * The probe that {@link #reported} asked for finished: {@code reachable} if the leader
     * connected to the server and it answered.
     */
    public Verdict probed(String server, boolean reachable, long nowMillis) {
        Suspect s = suspects.get(server);
        if (s == null || s.probeStartedAt == NEVER) {
            return Verdict.KEEP; // forgotten meanwhile (expired, left, new leadership)
        }
        long started = s.probeStartedAt;
        s.probeStartedAt = NEVER;
        if (reachable) {
            s.lastReachedAt = nowMillis;
            return Verdict.KEEP;
        }
        if (s.lastHeardAt >= started) {
            return Verdict.KEEP; // its heartbeats still reach the leader: the probe's path failed, not the server
        }
        suspects.remove(server);
        return Verdict.EVICT;
    }

    /** {@code server} left the membership (evicted, expired, leaving): its suspicion ends. */
    public void forget(String server) {
        suspects.remove(server);
    }

    /** A new leadership: nothing reported to an earlier one counts. */
    public void clear() {
        suspects.clear();
    }

    /** Whether a probe of {@code server} is in flight. */
    public boolean probing(String server) {
        Suspect s = suspects.get(server);
        return s != null && s.probeStartedAt != NEVER;
    }
}
