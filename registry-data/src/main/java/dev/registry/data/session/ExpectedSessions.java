package dev.registry.data.session;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which sessions a new slot leader waits for before it serves reads (each must have synced
 * its publishers of the slot, or the reconcile deadline passed). Otherwise a push could be
 * built from a leader that has not heard from some live session yet: a shrunken push.
 *
 * <p>A session is expected when it is connected now, when meta lists it, or when it
 * disconnected less than the session grace ago. The last matters when both other sources miss
 * a live session at once: a meta leader cut off from the members expires every lease, and the
 * table it publishes on healing drops and re-adds links, so for a moment a session is neither
 * connected nor on meta's list (chaos seed 3026). The grace is how long this server keeps the
 * publishers of a vanished session anyway; a session that really died only delays reads until
 * the reconcile deadline. A meta leader that just took over a running cluster says its list may
 * still miss sessions that have not found it yet; until it says otherwise, reads wait as if the
 * list were unknown (chaos seed 5028). Pure: time is passed in. Not thread-safe: the owner synchronizes.
 */
public final class ExpectedSessions {
    /**
     * Stands for "meta's member list not known yet, or not complete yet": never synced, so reads
     * wait for a complete list or the deadline.
     */
    public static final String META_LIST_UNKNOWN = "(sessions not yet all known from meta)";

    private final long graceMillis;
    private final Map<String, Long> disconnectedAt = new HashMap<>();

    public ExpectedSessions(Duration sessionGrace) {
        this.graceMillis = sessionGrace.toMillis();
    }

    public void disconnected(String sessionId, long nowMillis) {
        if (sessionId != null) {
            disconnectedAt.put(sessionId, nowMillis);
        }
    }

    /**
     * @param connected        sessions connected to this server now
     * @param metaList         the live sessions meta last reported, or null if it has not yet
     * @param metaListComplete false when meta said its list may miss live sessions (a meta leader
     *                         that just took over a running cluster: chaos seed 5028)
     */
    public Set<String> expected(Collection<String> connected, Collection<String> metaList, boolean metaListComplete,
                                long nowMillis) {
        Set<String> out = new TreeSet<>(connected);
        if (metaList != null) {
            out.addAll(metaList);
        }
        if (metaList == null || !metaListComplete) {
            out.add(META_LIST_UNKNOWN);
        }
        disconnectedAt.values().removeIf(at -> nowMillis - at > graceMillis);
        out.addAll(disconnectedAt.keySet());
        return out;
    }
}
