package dev.registry.meta.lease;

import java.util.Objects;

/**
 * What the database does with the lease row, as pure functions of (row, request, database
 * time): every store runs these inside one transaction that locks the row, and writes the
 * result with a conditional update. Keeping them here makes acquire, renew, expiry, takeover
 * and term fencing testable without a database.
 */
public final class LeaseRules {
    private LeaseRules() {
    }

    /**
     * A candidate asks for the lease at {@code nowMillis}: it renews a live lease it holds (same
     * term, expiry moved to {@code now + lease}), takes an expired or never-held lease with the
     * next term, and gets the unchanged row when someone else holds a live lease.
     */
    public static LeaseRecord acquireOrRenew(LeaseRecord current, String candidateId, String candidateAddress,
                                             long nowMillis, long leaseMillis) {
        Objects.requireNonNull(candidateId, "candidateId");
        if (leaseMillis <= 0) {
            throw new IllegalArgumentException("lease must be positive: " + leaseMillis);
        }
        if (current.isLiveAt(nowMillis)) {
            if (!current.holderId().equals(candidateId)) {
                return current;
            }
            return new LeaseRecord(candidateId, candidateAddress, current.term(),
                    Math.max(current.expiresAtMillis(), nowMillis + leaseMillis));
        }
        return new LeaseRecord(candidateId, candidateAddress, current.term() + 1, nowMillis + leaseMillis);
    }

    /**
     * Fencing at the database: state (slot table) may be written only by the holder of a live
     * lease in the term it writes for. A deposed leader's term is older, so its writes fail.
     */
    public static boolean mayWrite(LeaseRecord current, String holderId, long term, long nowMillis) {
        return current.isHeldBy(holderId, nowMillis) && current.term() == term;
    }

    /** The holder gives the lease up (clean shutdown): it expires now, so a follower takes over at once. */
    public static LeaseRecord release(LeaseRecord current, String holderId, long nowMillis) {
        if (!current.isHeldBy(holderId, nowMillis)) {
            return current;
        }
        return new LeaseRecord(current.holderId(), current.holderAddress(), current.term(), nowMillis - 1);
    }

    /**
     * The holder moves its live lease to a term above {@code aboveTerm}: members hold tables of
     * a term this database never issued (it was replaced or reset), and would refuse every
     * table of a lower term.
     *
     * @throws IllegalStateException if the holder may not write in {@code term}
     */
    public static LeaseRecord raiseTerm(LeaseRecord current, String holderId, long term, long aboveTerm,
                                        long nowMillis) {
        if (!mayWrite(current, holderId, term, nowMillis)) {
            throw new IllegalStateException("lease not held by " + holderId + " in term " + term);
        }
        return new LeaseRecord(current.holderId(), current.holderAddress(), Math.max(term, aboveTerm) + 1,
                current.expiresAtMillis());
    }
}
