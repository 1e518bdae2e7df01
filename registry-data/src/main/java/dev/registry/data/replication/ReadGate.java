package dev.registry.data.replication;

import dev.registry.common.protocol.SessionSlotDigestRequest;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The read gate of one tenure of one led slot: the slot serves reads once every expected
 * session digested it in this tenure and then said it repaired it ("synced"), or once the
 * reconcile deadline passed (a session that cannot reach this leader must not block the slot
 * forever). Pure: the caller passes the time (monotonic) and holds the lock.
 */
final class ReadGate {
    private final long deadlineMillis;
    /** Sessions whose digest this tenure answered: only their "synced" counts. */
    private final Set<String> digested = new HashSet<>();
    /** A paged digest in progress: the key its next page must start at, per session. */
    private final Map<String, SessionSlotDigestRequest.Key> pages = new HashMap<>();
    private final Set<String> synced = new HashSet<>();
    private boolean open;
    /** Opened by the deadline with sessions still missing: reads may lack their publishers for a while. */
    private boolean openedLate;

    ReadGate(long deadlineMillis) {
        this.deadlineMillis = deadlineMillis;
    }

    /** A session's digest of the whole slot (or its summary) was answered in this tenure. */
    void digested(String sessionId) {
        digested.add(sessionId);
    }

    /**
     * One page [from, to) of a session's digest was answered in this tenure. The session is
     * digested when the last page (to = null) follows an unbroken chain of pages from the slot's
     * start, and no answer of the chain was truncated; a single page with no bounds is the slot.
     */
    void digestPage(String sessionId, SessionSlotDigestRequest.Key from, SessionSlotDigestRequest.Key to,
                    boolean truncated) {
        boolean chained = from == null || from.equals(pages.get(sessionId));
        if (!chained || truncated) {
            pages.remove(sessionId);
            return;
        }
        if (to != null) {
            pages.put(sessionId, to);
            return;
        }
        pages.remove(sessionId);
        digested.add(sessionId);
    }

    /**
     * A session repaired the slot after a digest. It counts only if this tenure answered that
     * session's digest: a "synced" that concludes a digest another server (or an earlier tenure
     * of this one) compared says nothing about what this leader holds.
     */
    void synced(String sessionId) {
        if (digested.contains(sessionId)) {
            synced.add(sessionId);
        }
    }

    boolean isOpen() {
        return open;
    }

    boolean openedLate() {
        return openedLate;
    }

    /** The outcome of {@link #check}: whether reads are served, and who was missing when the deadline opened it. */
    record Decision(boolean open, boolean openedNow, Set<String> missing) {
    }

    /** Opens the gate if every expected session synced or the deadline passed. */
    Decision check(Set<String> expectedSessions, long nowMillis) {
        if (open) {
            return new Decision(true, false, Set.of());
        }
        boolean allSynced = synced.containsAll(expectedSessions);
        if (!allSynced && nowMillis < deadlineMillis) {
            return new Decision(false, false, Set.of());
        }
        open = true;
        Set<String> missing = new HashSet<>(expectedSessions);
        missing.removeAll(synced);
        openedLate = !missing.isEmpty();
        return new Decision(true, true, missing);
    }
}
