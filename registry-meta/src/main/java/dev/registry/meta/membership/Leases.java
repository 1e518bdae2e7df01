package dev.registry.meta.membership;

import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Lease table: a member stays live while it renews at least once per lease duration. A lease
 * renewed at {@code t} is live through {@code t + leaseDuration} inclusive and expired after it.
 * Time is passed in by the caller ({@code nowMillis}); nothing here reads a clock or starts a thread.
 *
 * <p>Not thread-safe: the owner confines it to one thread or synchronizes every call.
 */
public final class Leases<K> {
    private final long leaseMillis;
    private final Comparator<? super K> order;
    private final TreeMap<K, Long> lastRenewal;
    /** Since when this table hears every member; before one lease after it, a live member may not have renewed yet. */
    private long listeningSince = Long.MIN_VALUE / 2;

    /** Members ordered by their natural order ({@code K} must be {@link Comparable}). */
    public Leases(Duration leaseDuration) {
        this(leaseDuration, null);
    }

    /** Members ordered by {@code order}; null means natural order. */
    public Leases(Duration leaseDuration, Comparator<? super K> order) {
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        if (leaseDuration.isNegative() || leaseDuration.isZero()) {
            throw new IllegalArgumentException("lease duration must be positive: " + leaseDuration);
        }
        this.leaseMillis = leaseDuration.toMillis();
        this.order = order;
        this.lastRenewal = new TreeMap<>(order);
    }

    public Duration leaseDuration() {
        return Duration.ofMillis(leaseMillis);
    }

    /**
     * Records a renewal at {@code nowMillis}; a renewal older than the last one never shortens
     * the lease. Returns true if the member was not in the table (a lapsed member not yet
     * {@link #expire expired} is still in it).
     */
    public boolean renew(K member, long nowMillis) {
        Objects.requireNonNull(member, "member");
        Long previous = lastRenewal.get(member);
        if (previous == null) {
            lastRenewal.put(member, nowMillis);
            return true;
        }
        lastRenewal.put(member, Math.max(previous, nowMillis));
        return false;
    }

    /** Removes and returns, in member order, every member whose last renewal is older than the lease. */
    public Set<K> expire(long nowMillis) {
        Set<K> expired = new TreeSet<>(order);
        Iterator<Map.Entry<K, Long>> it = lastRenewal.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<K, Long> e = it.next();
            if (isExpired(e.getValue(), nowMillis)) {
                expired.add(e.getKey());
                it.remove();
            }
        }
        return Collections.unmodifiableSet(expired);
    }

    /** Forgets a member (it left on purpose); true if it was present. */
    public boolean remove(K member) {
        return lastRenewal.remove(member) != null;
    }

    /** Snapshot of every member in the table, live or lapsed-but-not-yet-expired, in member order. */
    public Set<K> members() {
        return Collections.unmodifiableSet(new TreeSet<>(lastRenewal.navigableKeySet()));
    }

    /** When the member last renewed, or -1 if it is not in the table. */
    public long lastRenewal(K member) {
        Long last = lastRenewal.get(member);
        return last == null ? -1 : last;
    }

    /**
     * The table starts listening at {@code nowMillis} although members may already exist (a new
     * leader of a running cluster): until one lease has passed, a live member may simply not have
     * renewed here yet, so {@link #members()} may miss it.
     */
    public void startListening(long nowMillis) {
        listeningSince = nowMillis;
    }

    /**
     * Whether every live member is in the table: true once a lease has passed since
     * {@link #startListening} (a member that has not renewed in a lease would be expired anyway),
     * and always for a table that never started listening late.
     */
    public boolean holdsEveryLiveMember(long nowMillis) {
        return nowMillis - listeningSince > leaseMillis;
    }

    public boolean isLive(K member, long nowMillis) {
        Long last = lastRenewal.get(member);
        return last != null && !isExpired(last, nowMillis);
    }

    private boolean isExpired(long last, long nowMillis) {
        return nowMillis - last > leaseMillis;
    }
}
