package dev.registry.meta.membership;

import java.time.Duration;

/**
 * Tells a meta leader that is cut off from every member from members that died. Members
 * heartbeat every second; when none at all has been heard for longer than the quiet limit,
 * the leader itself is far more likely partitioned (or was paused) than every data server and
 * session dead at once. It must not expire their leases then: doing so would empty the slot
 * table, and the table published on healing would move every slot and trigger a wave of
 * takeovers (chaos seeds 3026 and 4003). A single member dying still expires, because the
 * others keep being heard; if everything really died there is nobody to serve anyway.
 *
 * <p>When members are heard again, the leases are renewed from that moment: a member gets a
 * full lease to get its next heartbeat through, instead of being expired for the silence the
 * leader's own isolation caused. Pure (time passed in); not thread-safe: the owner synchronizes.
 */
public final class IsolationGuard {
    private final long quietLimitMillis;
    private long lastHeardMillis;
    private boolean isolated;

    public IsolationGuard(Duration quietLimit, long nowMillis) {
        if (quietLimit.isNegative() || quietLimit.isZero()) {
            throw new IllegalArgumentException("quiet limit must be positive: " + quietLimit);
        }
        this.quietLimitMillis = quietLimit.toMillis();
        this.lastHeardMillis = nowMillis;
    }

    /** A new leadership starts: members are still finding it, so the quiet period starts now. */
    public void restart(long nowMillis) {
        lastHeardMillis = nowMillis;
        isolated = false;
    }

    /**
     * A member heartbeat arrived.
     *
     * @return true if this ends an isolation: the caller renews every lease from now
     */
    public boolean heard(long nowMillis) {
        lastHeardMillis = Math.max(lastHeardMillis, nowMillis);
        boolean ended = isolated;
        isolated = false;
        return ended;
    }

    /** Whether leases may be expired now; false (and isolated from then on) while no member is heard. */
    public boolean mayExpire(long nowMillis) {
        if (nowMillis - lastHeardMillis > quietLimitMillis) {
            isolated = true;
        }
        return !isolated;
    }

    public boolean isolated() {
        return isolated;
    }

    /** How long no member has been heard. */
    public long quietMillis(long nowMillis) {
        return Math.max(0, nowMillis - lastHeardMillis);
    }
}
