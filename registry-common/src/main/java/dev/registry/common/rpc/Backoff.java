package dev.registry.common.rpc;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter in the upper half: attempt n waits a random time in
 * [d/2, d] where d = min(max, initial * 2^n). Pure apart from the injected {@link Random}.
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final Random random;

    public Backoff(Duration initial, Duration max, Random random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The delay before retry number {@code attempt} (0-based). */
    public Duration delay(int attempt) {
        long ceiling = initialMillis << Math.min(Math.max(attempt, 0), 30);
        if (ceiling <= 0 || ceiling > maxMillis) {
            ceiling = maxMillis;
        }
        long half = ceiling / 2;
        long jitter;
        synchronized (random) {
            jitter = half == 0 ? 0 : (long) (random.nextDouble() * (ceiling - half + 1));
        }
        return Duration.ofMillis(half + jitter);
    }

    /**
     * The delay of a retry {@code elapsed} after the trouble began: a random time in [c/2, c]
     * where c = elapsed / 2, kept within [initial, max]. Retries thin out geometrically as with
     * {@link #delay} (each wait a quarter to a half of the time already spent), yet stay dense
     * where it matters: a server that comes back for a second after being away for up to two
     * seconds is always caught, however many attempts failed fast meanwhile.
     */
    public Duration delayAfter(Duration elapsed) {
        long ceiling = Math.max(initialMillis, Math.min(maxMillis, Math.max(0, elapsed.toMillis()) / 2));
        long half = ceiling / 2;
        long jitter;
        synchronized (random) {
            jitter = half == 0 ? 0 : (long) (random.nextDouble() * (ceiling - half + 1));
        }
        return Duration.ofMillis(half + jitter);
    }
}
