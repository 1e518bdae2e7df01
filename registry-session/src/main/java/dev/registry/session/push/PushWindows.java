package dev.registry.session.push;

import java.util.HashMap;
import java.util.Map;

/**
 * When to run a fetch-and-push round for each key: leading edge, then at most one round per
 * window.
 *
 * <ul>
 *   <li>A change to a quiet key (no round in the last {@code window}) runs a round at once.
 *   <li>Changes that arrive while a round runs, or within {@code window} of the last round's
 *       start, are merged into one more round at {@code lastStart + window} (or when the running
 *       round ends, if later).
 * </ul>
 * So N changes in a burst of length T cost about {@code 1 + T / window} rounds, and an isolated
 * change is never delayed (SOFARegistry waits a fixed 1.5 s on every change).
 *
 * <p>Pure: time comes in as arguments. Not thread-safe: the owner synchronizes.
 *
 * @param <K> the key (a DataInfoId)
 */
public final class PushWindows<K> {
    /** Returned when no round needs to be scheduled by the caller. */
    public static final long NONE = -1;

    private final long windowMillis;
    private final Map<K, State> states = new HashMap<>();

    private static final class State {
        long lastStart = Long.MIN_VALUE / 2;
        boolean running;
        boolean pending;
        long scheduledAt = NONE;
    }

    public PushWindows(long windowMillis) {
        if (windowMillis < 0) {
            throw new IllegalArgumentException("window must not be negative: " + windowMillis);
        }
        this.windowMillis = windowMillis;
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
        s.scheduledAt = Math.max(now, s.lastStart + windowMillis);
        return s.scheduledAt;
    }

    /** The caller starts the scheduled round now. */
    public void onRoundStart(K key, long now) {
        State s = states.computeIfAbsent(key, k -> new State());
        s.running = true;
        s.pending = false;
        s.scheduledAt = NONE;
        s.lastStart = now;
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
            s.scheduledAt = Math.max(now, s.lastStart + windowMillis);
            return s.scheduledAt;
        }
        return NONE;
    }

    /** Forgets keys that are idle and whose window has closed; returns how many. */
    public int evictIdle(long now) {
        int before = states.size();
        states.values().removeIf(s -> !s.running && !s.pending && s.scheduledAt == NONE
                && now >= s.lastStart + windowMillis);
        return before - states.size();
    }

    public boolean isBusy(K key) {
        State s = states.get(key);
        return s != null && (s.running || s.scheduledAt != NONE);
    }

    public int trackedKeys() {
        return states.size();
    }
}
