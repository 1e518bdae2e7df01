package dev.registry.meta.lease;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the meta leader lease.
 *
 * @param leaseDuration how long one acquisition or renewal holds the lease (database clock)
 * @param renewInterval how often the leader renews and followers try to acquire
 */
public record LeaseSettings(Duration leaseDuration, Duration renewInterval) {

    public LeaseSettings {
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(renewInterval, "renewInterval");
        if (leaseDuration.toMillis() < 200) {
            throw new IllegalArgumentException("meta lease must be at least 200 ms: " + leaseDuration.toMillis() + " ms");
        }
        if (renewInterval.toMillis() < 10) {
            throw new IllegalArgumentException("meta lease renew interval must be at least 10 ms: "
                    + renewInterval.toMillis() + " ms");
        }
        long usable = leaseDuration.toMillis() - safetyMarginMillis(leaseDuration);
        if (renewInterval.toMillis() * 2 > usable) {
            throw new IllegalArgumentException("meta lease renew interval (" + renewInterval.toMillis()
                    + " ms) must be at most half of the lease minus its safety margin (" + usable
                    + " ms), so a leader gets two tries before it must stop");
        }
    }

    /** 10 s lease renewed every 2 s: a leader survives about four failed renewals in a row. */
    public static LeaseSettings defaults() {
        return new LeaseSettings(Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    /**
     * How much earlier than the lease's end a leader stops acting as leader: covers clock rate
     * differences between the leader and the database. A tenth of the lease, at least 50 ms.
     */
    public Duration safetyMargin() {
        return Duration.ofMillis(safetyMarginMillis(leaseDuration));
    }

    private static long safetyMarginMillis(Duration lease) {
        return Math.max(50, lease.toMillis() / 10);
    }

    /**
     * Worst case from a leader's death to a follower holding the lease: the rest of its lease
     * (at most the whole lease) plus one renew interval until a follower asks again.
     */
    public Duration takeoverBound() {
        return leaseDuration.plus(renewInterval);
    }
}
