package dev.registry.data.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The session lease on a data server: a session that has publishers in slots led here and no
 * connection to this server for the whole grace period is dead, and its clients' publishers go
 * (alive, those clients re-registered through another session). Pure: the caller passes the
 * sessions and the time (monotonic) and holds the lock.
 */
public final class SessionLease {
    private final long graceMillis;
    private final Map<String, Long> absentSince = new HashMap<>();

    public SessionLease(long graceMillis) {
        this.graceMillis = graceMillis;
    }

    /**
     * The sessions whose lease ran out now: with publishers here, absent since at least the
     * grace. Each is returned once (its absence starts over if it still has publishers later).
     */
    public List<String> expired(Set<String> withPublishers, Set<String> connected, long nowMillis) {
        List<String> out = new ArrayList<>();
        absentSince.keySet().retainAll(withPublishers);
        for (String s : withPublishers) {
            if (connected.contains(s)) {
                absentSince.remove(s);
                continue;
            }
            long since = absentSince.computeIfAbsent(s, x -> nowMillis);
            if (nowMillis - since >= graceMillis) {
                out.add(s);
                absentSince.remove(s);
            }
        }
        out.sort(null); // one order for one input: the simulator replays it
        return out;
    }

    /**
     * This server took slots over: absences counted before (while it led other slots, or none,
     * or was paused) say nothing about sessions' links for these, which they open once they learn
     * the table. Each starts over (found by the simulator: a paused server that got its slots back
     * expired a live session's publishers before the session had reconnected).
     */
    public void tookSlotsOver() {
        absentSince.clear();
    }

    public long graceMillis() {
        return graceMillis;
    }
}
