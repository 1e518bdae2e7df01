package dev.registry.data.store;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The publisher lists of the slots on this data server (led or followed), with a version per
 * DataInfoId.
 *
 * <p>Versions: a leader's effective change sets {@code version = max(previous + 1, nowMillis * 1000)}.
 * That is strictly monotonic per DataInfoId, followers copy the leader's versions exactly (so a
 * promoted follower continues from them), and because versions track wall-clock time in
 * microsecond units, a new leader that lacked an id still issues versions above the old
 * leader's as long as clocks agree within the change interval. An emptied datum stays as a
 * tombstone so its version never restarts.
 *
 * <p>Threading: all methods are synchronized; the store is the single owner of this state.
 */
public final class DatumStore {

    /**
     * What a leader write did: the id's version after it, whether anything changed, and how many
     * publishers the id has after it (sessions keep their catalogs from that).
     */
    public record Change(DataInfoId dataInfoId, long version, boolean changed, Kind kind, Publisher publisher,
                         String registerId, long changedAtMillis, int publishers) {
        static Change none(DataInfoId id, long version) {
            return new Change(id, version, false, null, null, null, 0, -1);
        }
    }

    /** TOUCH: only the version went up (above what sessions already pushed; see {@link #raiseVersions}). */
    public enum Kind { PUT, REMOVE, TOUCH }

    private final LongSupplier clockMillis;
    private final int slotCount;
    private final Map<Integer, Map<DataInfoId, Entry>> slots = new HashMap<>();
    /** Registrations removed lately: a late write of an older version must not re-create them. */
    private final WithdrawnRegistrations withdrawn = new WithdrawnRegistrations(
            WithdrawnRegistrations.DEFAULT_TTL_MILLIS, WithdrawnRegistrations.DEFAULT_CAPACITY);
    /** Publishers per session per slot, so the session-lease check never scans publishers. */
    private final Map<Integer, Map<String, SessionShare>> sessionCounts = new HashMap<>();

    /** One session's publishers in one slot: how many, and the XOR of their sync fingerprints. */
    private static final class SessionShare {
        int count;
        long xor;
    }

    public DatumStore(LongSupplier clockMillis, int slotCount) {
        this.clockMillis = clockMillis;
        this.slotCount = slotCount;
    }

    /** The clock versions and change times are stamped with (wall-clock milliseconds). */
    public long clockMillis() {
        return clockMillis.getAsLong();
    }

    public int slotOf(DataInfoId id) {
        return dev.registry.common.slot.SlotHash.slotOf(id, slotCount);
    }

    // ---- leader writes ----

    /** Puts a publisher unless the stored one has a higher client version or is identical. */
    public synchronized Change put(int slot, Publisher publisher) {
        Entry entry = slots.computeIfAbsent(slot, s -> new HashMap<>())
                .computeIfAbsent(publisher.dataInfoId(), id -> new Entry());
        Publisher existing = entry.publishers.get(publisher.registerId());
        if (existing != null && (existing.version() > publisher.version() || existing.equals(publisher))) {
            return Change.none(publisher.dataInfoId(), entry.version);
        }
        if (existing == null && withdrawn.refuses(publisher.dataInfoId(), publisher.registerId(), publisher.version(),
                clockMillis.getAsLong())) {
            return Change.none(publisher.dataInfoId(), entry.version); // a late write of what was withdrawn
        }
        withdrawn.forget(publisher.dataInfoId(), publisher.registerId());
        counted(slot, entry.publishers.put(publisher.registerId(), publisher), publisher);
        bump(entry);
        return new Change(publisher.dataInfoId(), entry.version, true, Kind.PUT, publisher, publisher.registerId(),
                entry.changedAtMillis, entry.publishers.size());
    }

    /**
     * Removes a publisher. With a non-null {@code connectionId} only the registration stamped
     * with that connection is removed: a newer registration through another connection stays.
     */
    public synchronized Change remove(int slot, DataInfoId id, String registerId, String connectionId) {
        Entry entry = entry(slot, id);
        if (entry == null) {
            return Change.none(id, 0);
        }
        Publisher existing = entry.publishers.get(registerId);
        if (existing == null || (connectionId != null && !connectionId.equals(existing.connectionId()))) {
            return Change.none(id, entry.version);
        }
        counted(slot, entry.publishers.remove(registerId), null);
        withdrawn.remember(id, registerId, existing.version(), clockMillis.getAsLong());
        bump(entry);
        return new Change(id, entry.version, true, Kind.REMOVE, null, registerId, entry.changedAtMillis,
                entry.publishers.size());
    }

    /** Removes every publisher that came through the given session from the given slots. */
    public synchronized List<Change> removeSession(String sessionId, Set<Integer> inSlots) {
        List<Change> changes = new ArrayList<>();
        for (int slot : inSlots) {
            Map<DataInfoId, Entry> ids = slots.get(slot);
            if (ids == null) {
                continue;
            }
            for (Map.Entry<DataInfoId, Entry> e : ids.entrySet()) {
                List<String> gone = new ArrayList<>();
                e.getValue().publishers.forEach((rid, p) -> {
                    if (sessionId.equals(p.sessionId())) {
                        gone.add(rid);
                    }
                });
                for (String rid : gone) {
                    counted(slot, e.getValue().publishers.remove(rid), null);
                    bump(e.getValue());
                    changes.add(new Change(e.getKey(), e.getValue().version, true, Kind.REMOVE, null, rid,
                            e.getValue().changedAtMillis, e.getValue().publishers.size()));
                }
            }
        }
        return changes;
    }

    /**
     * Raises the version of each listed id to above the version a session says it already pushed
     * ({@code known}, parallel to {@code ids}), where this copy's is lower. Versions are stamped
     * from leaders' clocks; a slot leader whose clock ran ahead may have had versions pushed that
     * its successor (its clock behind, or its copy rebuilt by the sessions) would not reach for a
     * while, and sessions and clients take a lower version for an older list and drop it. Found by
     * the simulator's clock faults. An id this copy never held gets an empty entry at that version.
     */
    public synchronized List<Change> raiseVersions(int slot, List<DataInfoId> ids, List<Long> known) {
        if (ids.size() != known.size()) {
            throw new IllegalArgumentException("ids and versions differ in length");
        }
        List<Change> changes = new ArrayList<>();
        Map<DataInfoId, Entry> inSlot = slots.computeIfAbsent(slot, s -> new HashMap<>());
        for (int i = 0; i < ids.size(); i++) {
            long pushed = known.get(i);
            Entry e = inSlot.get(ids.get(i));
            if (pushed <= 0 || (e != null && e.version > pushed)) {
                continue;
            }
            if (e == null) {
                e = new Entry();
                inSlot.put(ids.get(i), e);
            }
            e.version = pushed + 1;
            e.changedAtMillis = clockMillis.getAsLong();
            changes.add(new Change(ids.get(i), e.version, true, Kind.TOUCH, null, null, e.changedAtMillis,
                    e.publishers.size()));
        }
        return changes;
    }

    /** Applies a leader's {@link #raiseVersions} of one id. */
    public synchronized boolean applyTouch(int slot, DataInfoId id, long version, long changedAtMillis) {
        Entry entry = slots.computeIfAbsent(slot, s -> new HashMap<>()).computeIfAbsent(id, x -> new Entry());
        if (entry.version >= version) {
            return false;
        }
        entry.version = version;
        entry.changedAtMillis = changedAtMillis;
        return true;
    }

    private void bump(Entry entry) {
        long now = clockMillis.getAsLong();
        entry.version = Math.max(entry.version + 1, now * 1000);
        entry.changedAtMillis = now;
    }

    // ---- follower writes: copy the leader's result, never go backwards ----

    /** Applies a leader's put that produced {@code version}; ignored if this copy is already at or past it. */
    public synchronized boolean applyPut(int slot, Publisher publisher, long version, long changedAtMillis) {
        Entry entry = slots.computeIfAbsent(slot, s -> new HashMap<>())
                .computeIfAbsent(publisher.dataInfoId(), id -> new Entry());
        if (entry.version >= version) {
            return false;
        }
        withdrawn.forget(publisher.dataInfoId(), publisher.registerId());
        counted(slot, entry.publishers.put(publisher.registerId(), publisher), publisher);
        entry.version = version;
        entry.changedAtMillis = changedAtMillis;
        return true;
    }

    /** Applies a leader's removal that produced {@code version}. */
    public synchronized boolean applyRemove(int slot, DataInfoId id, String registerId, long version, long changedAtMillis) {
        Entry entry = slots.computeIfAbsent(slot, s -> new HashMap<>()).computeIfAbsent(id, x -> new Entry());
        if (entry.version >= version) {
            return false;
        }
        Publisher removed = entry.publishers.remove(registerId);
        counted(slot, removed, null);
        if (removed != null) {
            // A follower remembers too: promoted, it must refuse the same late writes.
            withdrawn.remember(id, registerId, removed.version(), clockMillis.getAsLong());
        }
        entry.version = version;
        entry.changedAtMillis = changedAtMillis;
        return true;
    }

    /** Replaces a datum with the leader's copy (snapshot sync). */
    public synchronized void replace(int slot, Datum datum) {
        Entry entry = new Entry();
        entry.version = datum.version();
        entry.changedAtMillis = datum.changedAtMillis();
        for (Publisher p : datum.publishers()) {
            entry.publishers.put(p.registerId(), p);
            counted(slot, null, p);
        }
        Entry old = slots.computeIfAbsent(slot, s -> new HashMap<>()).put(datum.dataInfoId(), entry);
        if (old != null) {
            old.publishers.values().forEach(p -> counted(slot, p, null));
        }
    }

    /** Drops the ids of a slot that are not in {@code keep} (snapshot sync: the leader does not have them). */
    public synchronized int retainOnly(int slot, Set<DataInfoId> keep) {
        Map<DataInfoId, Entry> ids = slots.get(slot);
        if (ids == null) {
            return 0;
        }
        int before = ids.size();
        for (var it = ids.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!keep.contains(e.getKey())) {
                e.getValue().publishers.values().forEach(p -> counted(slot, p, null));
                it.remove();
            }
        }
        return before - ids.size();
    }

    /** Forgets a slot this server no longer holds. */
    public synchronized void dropSlot(int slot) {
        slots.remove(slot);
        sessionCounts.remove(slot);
    }

    // ---- reads ----

    /** The datum, or an empty datum with version 0 if this id was never written here. */
    public synchronized Datum get(int slot, DataInfoId id) {
        Entry entry = entry(slot, id);
        if (entry == null) {
            return Datum.empty(id, 0);
        }
        return new Datum(id, entry.version, new ArrayList<>(entry.publishers.values()), entry.changedAtMillis);
    }

    /** Every DataInfoId (including emptied ones) of one slot with its version. */
    public synchronized Map<DataInfoId, Long> versions(int slot) {
        Map<DataInfoId, Long> out = new TreeMap<>();
        Map<DataInfoId, Entry> s = slots.get(slot);
        if (s != null) {
            s.forEach((id, e) -> out.put(id, e.version));
        }
        return out;
    }

    /** One id's version and the hash of its publishers' content, read together. */
    public record DigestEntry(long version, long contentHash) {
    }

    /**
     * Every DataInfoId of one slot with its version and a hash of its publishers (order-free),
     * read atomically: a follower compares both, since two leaders can stamp the same version on
     * different content (versions come from their clocks).
     */
    public synchronized Map<DataInfoId, DigestEntry> digest(int slot) {
        Map<DataInfoId, DigestEntry> out = new TreeMap<>();
        Map<DataInfoId, Entry> s = slots.get(slot);
        if (s != null) {
            s.forEach((id, e) -> out.put(id, new DigestEntry(e.version, contentHash(e.publishers.values()))));
        }
        return out;
    }

    /** XOR over the publishers of (their sync fingerprint, their values): the same set gives the same hash. */
    static long contentHash(java.util.Collection<Publisher> publishers) {
        long h = 0;
        for (Publisher p : publishers) {
            h ^= p.syncFingerprint() * 31 + p.values().hashCode();
        }
        return h;
    }

    /** Versions of the given ids in one slot (0 for ids never written here). */
    public synchronized List<Long> versionsOf(int slot, List<DataInfoId> ids) {
        List<Long> out = new ArrayList<>(ids.size());
        for (DataInfoId id : ids) {
            Entry e = entry(slot, id);
            out.add(e == null ? 0L : e.version);
        }
        return out;
    }

    /** The publishers of one slot that came through a session, keyed by (id, registerId). */
    public synchronized Map<PublisherRef, Publisher> publishersOfSession(int slot, String sessionId) {
        Map<PublisherRef, Publisher> out = new LinkedHashMap<>();
        Map<DataInfoId, Entry> s = slots.get(slot);
        if (s != null) {
            s.forEach((id, e) -> e.publishers.forEach((rid, p) -> {
                if (sessionId.equals(p.sessionId())) {
                    out.put(new PublisherRef(id, rid), p);
                }
            }));
        }
        return out;
    }

    /** Every session id that has publishers in the given slots. */
    /**
     * The ids with at least one publisher in {@code inSlots} that {@code query} matches, sorted by
     * canonical form, at most its limit (more: whether others match too).
     */
    public dev.registry.common.protocol.CatalogPage catalog(java.util.Collection<Integer> inSlots,
                                                            dev.registry.common.protocol.CatalogQuery query) {
        java.util.TreeMap<String, dev.registry.common.protocol.CatalogPage.Entry> found = new java.util.TreeMap<>();
        boolean more = false;
        for (int slot : inSlots) {
            // One slot at a time under the lock: writes of other slots are not held up by a large catalog.
            more |= collectCatalog(slot, query, found);
        }
        return dev.registry.common.protocol.CatalogPage.of(new ArrayList<>(found.values()), more);
    }

    /** Adds the slot's matching ids to {@code found}, keeping the first limit; true if it dropped one. */
    private synchronized boolean collectCatalog(int slot, dev.registry.common.protocol.CatalogQuery query,
                                                java.util.TreeMap<String, dev.registry.common.protocol.CatalogPage.Entry> found) {
        Map<DataInfoId, Entry> ids = slots.get(slot);
        boolean dropped = false;
        if (ids != null) {
            // The slot's ids are in hash order: each is compared with the page's current last id and
            // only one that sorts before it enters the page (a million-id scan then costs one string
            // comparison per id, not a tree insertion and removal).
            String last = found.size() >= query.limit() ? found.lastKey() : null;
            for (Map.Entry<DataInfoId, Entry> e : ids.entrySet()) {
                if (e.getValue().publishers.isEmpty() || !query.matches(e.getKey())) {
                    continue;
                }
                String canonical = e.getKey().canonical();
                if (last != null && canonical.compareTo(last) >= 0) {
                    dropped = true; // matches, but after the page's end
                    continue;
                }
                found.put(canonical, new dev.registry.common.protocol.CatalogPage.Entry(e.getKey(),
                        e.getValue().publishers.size(), e.getValue().changedAtMillis));
                if (found.size() > query.limit()) {
                    found.pollLastEntry(); // keep the first limit ids in order
                    dropped = true;
                }
                if (found.size() >= query.limit()) {
                    last = found.lastKey();
                }
            }
        }
        return dropped;
    }

    public synchronized Set<String> sessionIds(Set<Integer> inSlots) {
        Set<String> out = new HashSet<>();
        for (int slot : inSlots) {
            Map<String, SessionShare> c = sessionCounts.get(slot);
            if (c != null) {
                out.addAll(c.keySet());
            }
        }
        return out;
    }

    public synchronized Set<Integer> slots() {
        return new HashSet<>(slots.keySet());
    }

    /** Publisher count per slot, for admin and metrics. */
    public synchronized Map<Integer, Integer> publisherCounts() {
        Map<Integer, Integer> out = new TreeMap<>();
        slots.forEach((slot, ids) -> out.put(slot, ids.values().stream().mapToInt(e -> e.publishers.size()).sum()));
        return out;
    }

    public synchronized int publisherCount() {
        return slots.values().stream().flatMap(m -> m.values().stream()).mapToInt(e -> e.publishers.size()).sum();
    }

    /** Keeps the per-slot session counts in step with one publisher slot-in / slot-out. */
    private void counted(int slot, Publisher removed, Publisher added) {
        if (removed != null && removed.sessionId() != null) {
            Map<String, SessionShare> c = sessionCounts.get(slot);
            SessionShare share = c == null ? null : c.get(removed.sessionId());
            if (share != null) {
                share.xor ^= removed.syncFingerprint();
                if (--share.count <= 0) {
                    c.remove(removed.sessionId());
                }
            }
        }
        if (added != null && added.sessionId() != null) {
            SessionShare share = sessionCounts.computeIfAbsent(slot, x -> new HashMap<>())
                    .computeIfAbsent(added.sessionId(), x -> new SessionShare());
            share.count++;
            share.xor ^= added.syncFingerprint();
        }
    }

    /** True if this slot holds exactly {@code count} publishers of the session with that fingerprint XOR. */
    public synchronized boolean sessionSummaryMatches(int slot, String sessionId, int count, long xor) {
        Map<String, SessionShare> c = sessionCounts.get(slot);
        SessionShare share = c == null ? null : c.get(sessionId);
        return share == null ? count == 0 : share.count == count && share.xor == xor;
    }

    /** One stored publisher, or null. */
    public synchronized Publisher publisher(int slot, DataInfoId id, String registerId) {
        Entry entry = entry(slot, id);
        return entry == null ? null : entry.publishers.get(registerId);
    }

    private Entry entry(int slot, DataInfoId id) {
        Map<DataInfoId, Entry> s = slots.get(slot);
        return s == null ? null : s.get(id);
    }

    /** Identifies one publisher within a slot. */
    public record PublisherRef(DataInfoId dataInfoId, String registerId) {
    }

    private static final class Entry {
        long version;
        long changedAtMillis;
        final Map<String, Publisher> publishers = new LinkedHashMap<>();
    }
}
