package dev.registry.meta.lease;

/**
 * The meta leader lease as the database holds it: who holds it, the term of that leadership,
 * and until when (database clock, epoch millis). The lease is live through
 * {@code expiresAtMillis} inclusive and expired after it.
 *
 * @param holderId      the holding node's id (unique per process start), or null if never held
 * @param holderAddress the holder's meta RPC address {@code host:port}, which followers redirect to
 * @param term          incremented on every acquisition; 0 before the first
 */
public record LeaseRecord(String holderId, String holderAddress, long term, long expiresAtMillis) {

    /** The row before anyone held the lease. */
    public static final LeaseRecord NONE = new LeaseRecord(null, null, 0, 0);

    public boolean isLiveAt(long nowMillis) {
        return holderId != null && nowMillis <= expiresAtMillis;
    }

    public boolean isHeldBy(String candidateId, long nowMillis) {
        return isLiveAt(nowMillis) && holderId.equals(candidateId);
    }
}
