package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each id's last pushed list was, kept so the next round can send subscribers that hold it
 * only what changed ({@link dev.registry.common.protocol.PushDeltas}). Kept as one 64-bit hash
 * per value, not the values: the strings of a round would otherwise live until the id's next
 * round, surviving young collections (a 200-value list is 1.6 KB of hashes instead of ~40 KB of
 * strings copied from one survivor space to the next). Only lists worth a delta are kept (at
 * least {@link #MIN_CHARS} characters of values), at most {@code budgetValues} values in all:
 * past that, ids not yet kept get full pushes (correct, only larger). Thread-safe.
 */
final class DeltaBases {
    /** Below this, a full push is a few hundred bytes: not worth a delta. */
    static final long MIN_CHARS = 2_000;
    /** What all kept lists may hold together by default: 2 M values (16 MB of hashes). */
    static final long DEFAULT_BUDGET_VALUES = 2_000_000;

    /** The base of one id: its version and each zone's value hashes, in zone order. */
    record Base(long version, LinkedHashMap<String, long[]> hashes) {
    }

    private final long budgetValues;
    private final Map<DataInfoId, Base> kept = new HashMap<>();
    private long keptValues;

    DeltaBases(long budgetValues) {
        this.budgetValues = budgetValues;
    }

    /** The base kept for the id, if older than {@code version} (a delta goes forward only). */
    synchronized Base baseFor(DataInfoId id, long version) {
        Base b = kept.get(id);
        return b != null && b.version < version ? b : null;
    }

    /** Keeps a round's list as the id's base, if it is newer than the one kept and worth it. */
    synchronized void remember(DataInfoId id, long version, LinkedHashMap<String, long[]> hashes, long chars) {
        Base old = kept.get(id);
        if (old != null && old.version >= version) {
            return;
        }
        long values = count(hashes);
        long without = keptValues - (old == null ? 0 : count(old.hashes));
        if (chars < MIN_CHARS || without + values > budgetValues) {
            if (old != null) { // a small list now, or no room: the old base would only be wrong
                kept.remove(id);
                keptValues = without;
            }
            return;
        }
        kept.put(id, new Base(version, hashes));
        keptValues = without + values;
    }

    /** The id has no subscribers here any more. */
    synchronized void forget(DataInfoId id) {
        Base old = kept.remove(id);
        if (old != null) {
            keptValues -= count(old.hashes);
        }
    }

    synchronized long keptValues() {
        return keptValues;
    }

    synchronized int size() {
        return kept.size();
    }

    private static long count(Map<String, long[]> hashes) {
        long n = 0;
        for (long[] h : hashes.values()) {
            n += h.length;
        }
        return n;
    }

    /** Characters in a list's values: what a base costs to keep. */
    static long chars(java.util.Map<String, java.util.ArrayList<String>> byZone) {
        long n = 0;
        for (java.util.ArrayList<String> values : byZone.values()) {
            for (String v : values) {
                n += v.length();
            }
        }
        return n;
    }
}
