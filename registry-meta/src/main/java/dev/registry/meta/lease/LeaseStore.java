package dev.registry.meta.lease;

import java.time.Duration;

/**
 * Where the leader lease lives (a database row). Each method is one transaction that locks the
 * row, applies {@link LeaseRules} at the store's own clock, and writes the result with a
 * conditional update. Methods may block (bounded by the store's timeouts) and throw
 * {@link IllegalStateException} subclasses when the store cannot be reached.
 */
public interface LeaseStore {

    /** Renews the candidate's live lease, takes an expired one, or returns the holder's row. */
    LeaseRecord acquireOrRenew(String candidateId, String candidateAddress, Duration lease);

    /** Gives the lease up if the candidate holds it. */
    void release(String candidateId);

    /**
     * Moves the holder's live lease to a term above {@code aboveTerm}; returns the new term.
     *
     * @throws LeaseLostException if the candidate does not hold the lease in {@code term}
     */
    long raiseTerm(String candidateId, long term, long aboveTerm);
}
