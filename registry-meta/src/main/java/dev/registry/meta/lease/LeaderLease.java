package dev.registry.meta.lease;

import java.util.Objects;

/**
 * One meta node's view of its leadership, driven by the lease store's answers and a monotonic
 * clock the caller passes in (nanos). Nothing here reads a clock or starts a thread.
 *
 * <p>The rule that keeps two leaders from acting at once: a renewal asked at local time
 * {@code t} makes the node leader only until {@code t + lease - safetyMargin}. The database
 * computed the lease end from its own "now", which is later than {@code t}, so the node stops
 * before the database can let anyone else acquire, as long as the two clocks run at nearly the
 * same rate (the margin covers the difference). A renewal that arrives after that point does
 * not revive the leadership; the next one starts it again.
 *
 * <p>Not thread-safe: {@link LeaderElection} synchronizes every call.
 */
public final class LeaderLease {

    /** What an input changed. */
    public enum Kind { NONE, ELECTED, DEPOSED }

    /** @param term the term won (ELECTED) or lost (DEPOSED) */
    public record Change(Kind kind, long term, String reason) {
        static final Change NONE = new Change(Kind.NONE, 0, "");
    }

    private final String self;
    private final long leaseNanos;
    private final long marginNanos;
    private long term;
    private long validUntilNanos;
    private LeaseRecord lastSeen = LeaseRecord.NONE;

    public LeaderLease(String selfId, LeaseSettings settings) {
        this.self = Objects.requireNonNull(selfId, "selfId");
        this.leaseNanos = settings.leaseDuration().toNanos();
        this.marginNanos = settings.safetyMargin().toNanos();
    }

    /**
     * The store answered an acquire-or-renew asked at {@code askedAtNanos}.
     */
    public Change onAnswer(LeaseRecord record, long askedAtNanos, long nowNanos) {
        lastSeen = Objects.requireNonNull(record, "record");
        Change lapsed = check(nowNanos);
        if (lapsed.kind() != Kind.NONE) {
            return lapsed; // stopped acting already; a later renewal starts again cleanly
        }
        boolean mine = self.equals(record.holderId()) && record.term() > 0;
        long until = askedAtNanos + leaseNanos - marginNanos;
        if (mine && nowNanos - until < 0) {
            if (term == record.term()) {
                validUntilNanos = later(validUntilNanos, until);
                return Change.NONE;
            }
            if (term != 0) {
                return depose("the database holds this node's lease in term " + record.term()
                        + ", not " + term);
            }
            term = record.term();
            validUntilNanos = until;
            return new Change(Kind.ELECTED, term, "acquired the lease");
        }
        if (term != 0) {
            return depose(mine ? "the renewal answered too late to be used"
                    : "the lease is held by " + record.holderAddress() + " in term " + record.term());
        }
        return Change.NONE;
    }

    /** The store could not be asked (unreachable, timeout): leadership lasts only until its deadline. */
    public Change onFailure(long nowNanos) {
        return check(nowNanos);
    }

    /** Ends the leadership once its deadline passed; call it often. */
    public Change check(long nowNanos) {
        if (term != 0 && nowNanos - validUntilNanos >= 0) {
            return depose("the lease could not be renewed in time");
        }
        return Change.NONE;
    }

    /** The store refused a write in this term: someone else leads now. */
    public Change onLeaseLost(String reason) {
        return term == 0 ? Change.NONE : depose(reason);
    }

    /** The store moved this node's live lease from {@code from} to {@code to}. */
    public void onTermRaised(long from, long to) {
        if (term == from && to > from) {
            term = to;
        }
    }

    public boolean isLeader(long nowNanos) {
        return term != 0 && nowNanos - validUntilNanos < 0;
    }

    /** The term this node leads in, or 0. */
    public long term() {
        return term;
    }

    /** Nanos of leadership left at {@code nowNanos} (0 when not leader). */
    public long remainingNanos(long nowNanos) {
        return isLeader(nowNanos) ? validUntilNanos - nowNanos : 0;
    }

    /** The lease row as last read (who leads, in which term), possibly stale. */
    public LeaseRecord lastSeen() {
        return lastSeen;
    }

    private Change depose(String reason) {
        long lost = term;
        term = 0;
        validUntilNanos = 0;
        return new Change(Kind.DEPOSED, lost, reason);
    }

    private static long later(long a, long b) {
        return a - b >= 0 ? a : b;
    }
}
