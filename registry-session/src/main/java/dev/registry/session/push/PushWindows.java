package dev.registry.session.push;

import java.util.HashMap;
import java.util.Map;

/**
 * When to run a fetch-and-push round for each key: at once whenever no round of that key is
 * in flight, merging only what arrives while one is, and never more rounds than a rate
 * allows.
 *
 * <ul>
 *   <li>A change to a key with no round in flight or scheduled starts a round at once, as long
 *       as the key is within its rate (below).
 *   <li>Changes that arrive while a round runs are merged into one more round, started when
 *       the running one ends.
 *   <li>Storm bound: a key gets at most {@code burst} rounds back to back, then one round per
 *       {@code window / burst} (a token bucket of {@code burst} tokens refilled at
 *       {@code burst} per {@code window}, kept as a GCRA "theoretical arrival time"). Changes
 *       beyond the rate wait for the next allowed start and merge into it. So in any interval
 *       of length T a key runs at most {@code burst + T * burst / window} rounds, however many
 *       changes arrive, and each subscriber gets at most that many pushes of the key.
 * </ul>
 * An id that changes more slowly than {@code burst} per {@code window} is therefore never
 * delayed (SOFARegistry waits a fixed 1.5 s on every change; the previous policy here waited
 * up to a whole window after any round).
 *
 * <p>Pure: time comes in as arguments. Not thread-safe: the owner synchronizes.
 *
 * @param <K> the key (a DataInfoId)
 */
public final class PushWindows<K> {
    /** Returned when no round needs to be scheduled by the caller. */
    public static final long NONE = -1;

    private final long windowMillis;
    private final int burst;
    /** Spacing between rounds at the sustained rate, in microseconds (window / burst). */
    private final long spacingMicros;
    /** How far ahead of its theoretical time a round may start (the burst allowance), in microseconds. */
    private final long toleranceMicros;
    private final Map<K, State> states = new HashMap<>();

    private static final class State {
        /** GCRA theoretical arrival time of the next round, in microseconds. */
        long tatMicros = Long.MIN_VALUE / 4;
        boolean running;
        boolean pending;
        long scheduledAt = NONE;
    }

    public PushWindows(long windowMillis, int burst) {
        if (windowMillis < 0) {
            throw new IllegalArgumentException("window must not be negative: " + windowMillis);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1: " + burst);
        }
        this.windowMillis = windowMillis;
        this.burst = burst;
        this.spacingMicros = windowMillis * 1000 / burst;
        this.toleranceMicros = spacingMicros * (burst - 1);
    }

    /**
     * A change arrived. Returns the time at which the caller must start a round, or
     * {@link #NONE} when it is merged into a running or already scheduled round.
     */
    public long onChange(K key, long now) {
        State s = states.computeIfAbsent(key, k -> new State());
        if (s.running) {
            s.pending = true;
            return NONE;
        }
        if (s.scheduledAt != NONE) {
            return NONE;
        }
        s.scheduledAt = earliestStart(s, now);
        return s.scheduledAt;
    }

    /** The caller starts the scheduled round now. */
    public void onRoundStart(K key, long now) {
        State s = states.computeIfAbsent(key, k -> new State());
        s.running = true;
        s.pending = false;
        s.scheduledAt = NONE;
        s.tatMicros = Math.max(s.tatMicros, now * 1000) + spacingMicros;
    }

    /**
     * The round ended. Returns when the next round must start (changes arrived meanwhile), or
     * {@link #NONE}.
     */
    public long onRoundEnd(K key, long now) {
        State s = states.get(key);
        if (s == null) {
            return NONE;
        }
        s.running = false;
        if (s.pending) {
            s.pending = false;
            s.scheduledAt = earliestStart(s, now);
            return s.scheduledAt;
        }
        return NONE;
    }

    /** The first time at or after {@code now} when the key's rate allows another round. */
    private long earliestStart(State s, long now) {
        long allowedMicros = s.tatMicros - toleranceMicros;
        long allowed = Math.floorDiv(allowedMicros + 999, 1000); // round up to whole milliseconds
        return Math.max(now, allowed);
    }

    /** Forgets keys that are idle and back to their full burst; returns how many. */
    public int evictIdle(long now) {
        int before = states.size();
        states.values().removeIf(s -> !s.running && !s.pending && s.scheduledAt == NONE
                && now * 1000 >= s.tatMicros);
        return before - states.size();
    }

    public boolean isBusy(K key) {
        State s = states.get(key);
        return s != null && (s.running || s.scheduledAt != NONE);
    }

    public int trackedKeys() {
        return states.size();
    }

    public long windowMillis() {
        return windowMillis;
    }

    public int burst() {
        return burst;
    }

    /** The most rounds one key can run in any interval of {@code millis}: the storm bound. */
    public long maxRoundsIn(long millis) {
        return burst + (spacingMicros == 0 ? Long.MAX_VALUE / 2 : millis * 1000 / spacingMicros);
    }
}
