package dev.registry.data.store;

import dev.registry.common.model.DataInfoId;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Registrations removed lately, with the client version they had, so that a late write of an
 * <em>older</em> version of the same registration does not bring it back.
 *
 * <p>Why: a client that moved to another connection re-registers with a higher version and may
 * then unregister through the new one. The session it left may still write its old copy after
 * that (a retry that lands late, a re-sync while it holds the moved client's publishers); with
 * no registration left to lose to, that write would re-create what the client withdrew, until
 * the old session's copy is withdrawn or expires (seconds; found by the process-level chaos run).
 *
 * <p>Only strictly older versions are refused: a client that re-registers the same version after
 * its connection's publishers were withdrawn (SOFARegistry's client, older clients of ours) is
 * a live registration, not a late one. Entries last {@code ttlMillis} (longer than any session
 * holds a moved or flapping client's publishers) and at most {@code capacity} are kept, the
 * oldest dropped first. Pure; the caller synchronizes (the store does).
 */
final class WithdrawnRegistrations {
    static final long DEFAULT_TTL_MILLIS = 60_000;
    static final int DEFAULT_CAPACITY = 200_000;

    private record Key(DataInfoId id, String registerId) {
    }

    private record Withdrawn(long version, long atMillis) {
    }

    private final long ttlMillis;
    private final int capacity;
    /** In the order they were withdrawn (re-inserted on a repeat), so expiry looks at the head only. */
    private final LinkedHashMap<Key, Withdrawn> withdrawn = new LinkedHashMap<>();

    WithdrawnRegistrations(long ttlMillis, int capacity) {
        this.ttlMillis = ttlMillis;
        this.capacity = capacity;
    }

    /** The registration of {@code registerId}, at client version {@code version}, was removed now. */
    void remember(DataInfoId id, String registerId, long version, long nowMillis) {
        expire(nowMillis);
        Key key = new Key(id, registerId);
        withdrawn.remove(key);
        withdrawn.put(key, new Withdrawn(version, nowMillis));
        if (withdrawn.size() > capacity) {
            Iterator<Map.Entry<Key, Withdrawn>> oldest = withdrawn.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    /** True when a write of this registration at {@code version} is older than its withdrawal. */
    boolean refuses(DataInfoId id, String registerId, long version, long nowMillis) {
        expire(nowMillis);
        Withdrawn w = withdrawn.get(new Key(id, registerId));
        return w != null && version < w.version();
    }

    /** A newer registration was accepted: nothing to remember any more. */
    void forget(DataInfoId id, String registerId) {
        if (!withdrawn.isEmpty()) {
            withdrawn.remove(new Key(id, registerId));
        }
    }

    int size() {
        return withdrawn.size();
    }

    private void expire(long nowMillis) {
        Iterator<Map.Entry<Key, Withdrawn>> it = withdrawn.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Withdrawn> e = it.next();
            if (nowMillis - e.getValue().atMillis() < ttlMillis) {
                return;
            }
            it.remove();
        }
    }
}
