package dev.registry.data.store;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The publisher lists of the slots on this data server, with a version per DataInfoId.
 *
 * <p>Versions: every effective change sets {@code version = max(previous + 1, nowMillis * 1000)}.
 * That is strictly monotonic per DataInfoId on one server, and because it tracks wall-clock
 * time in microsecond units a new leader starting from an empty store still issues versions
 * above the old leader's (as long as clocks are within the change interval), which keeps
 * pushes monotonic across leader changes. An emptied datum is kept as a tombstone so its
 * version never restarts.
 *
 * <p>Threading: all methods are synchronized; the store is the single owner of this state.
 */
public final class DatumStore {

    /** The outcome of a write: the DataInfoId's version after it, and whether anything changed. */
    public record Change(DataInfoId dataInfoId, long version, boolean changed) {
    }

    private final LongSupplier clockMillis;
    private final Map<Integer, Map<DataInfoId, Entry>> slots = new HashMap<>();

    public DatumStore(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** Puts a publisher unless the stored one has a higher client version or is identical. */
    public synchronized Change put(int slot, Publisher publisher) {
        Entry entry = slots.computeIfAbsent(slot, s -> new HashMap<>())
                .computeIfAbsent(publisher.dataInfoId(), id -> new Entry());
        Publisher existing = entry.publishers.get(publisher.registerId());
        if (existing != null && (existing.version() > publisher.version() || existing.equals(publisher))) {
            return new Change(publisher.dataInfoId(), entry.version, false);
        }
        entry.publishers.put(publisher.registerId(), publisher);
        entry.version = nextVersion(entry.version);
        entry.changedAtMillis = clockMillis.getAsLong();
        return new Change(publisher.dataInfoId(), entry.version, true);
    }

    /**
     * Removes a publisher. With a non-null {@code connectionId} only the registration stamped
     * with that connection is removed: a newer registration through another connection stays.
     */
    public synchronized Change remove(int slot, DataInfoId id, String registerId, String connectionId) {
        Entry entry = entry(slot, id);
        if (entry == null) {
            return new Change(id, 0, false);
        }
        Publisher existing = entry.publishers.get(registerId);
        if (existing == null || (connectionId != null && !connectionId.equals(existing.connectionId()))) {
            return new Change(id, entry.version, false);
        }
        entry.publishers.remove(registerId);
        entry.version = nextVersion(entry.version);
        entry.changedAtMillis = clockMillis.getAsLong();
        return new Change(id, entry.version, true);
    }

    /** Removes every publisher that came through the given session; returns the changed ids. */
    public synchronized List<Change> removeSession(String sessionId) {
        List<Change> changes = new ArrayList<>();
        for (Map<DataInfoId, Entry> slot : slots.values()) {
            for (Map.Entry<DataInfoId, Entry> e : slot.entrySet()) {
                boolean removed = e.getValue().publishers.values().removeIf(p -> sessionId.equals(p.sessionId()));
                if (removed) {
                    e.getValue().version = nextVersion(e.getValue().version);
                    e.getValue().changedAtMillis = clockMillis.getAsLong();
                    changes.add(new Change(e.getKey(), e.getValue().version, true));
                }
            }
        }
        return changes;
    }

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

    /** Versions of the given ids in one slot (0 for ids never written here). */
    public synchronized List<Long> versionsOf(int slot, List<DataInfoId> ids) {
        List<Long> out = new ArrayList<>(ids.size());
        for (DataInfoId id : ids) {
            Entry e = entry(slot, id);
            out.add(e == null ? 0L : e.version);
        }
        return out;
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

    private Entry entry(int slot, DataInfoId id) {
        Map<DataInfoId, Entry> s = slots.get(slot);
        return s == null ? null : s.get(id);
    }

    private long nextVersion(long previous) {
        return Math.max(previous + 1, clockMillis.getAsLong() * 1000);
    }

    private static final class Entry {
        long version;
        long changedAtMillis;
        final Map<String, Publisher> publishers = new LinkedHashMap<>();
    }
}
