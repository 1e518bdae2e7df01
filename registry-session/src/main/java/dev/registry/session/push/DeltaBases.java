package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.DatumValues;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last list each id was pushed with, kept so the next round can send subscribers that hold
 * it only what changed ({@link dev.registry.common.protocol.PushDeltas}). Only lists worth a
 * delta are kept (at least {@link #MIN_CHARS} characters of values), and at most
 * {@code budgetChars} characters in all: past that, ids not yet kept get full pushes (correct,
 * only larger). Thread-safe.
 */
final class DeltaBases {
    /** Below this, a full push is a few hundred bytes: not worth a delta or the memory. */
    static final long MIN_CHARS = 2_000;
    /** What all kept lists may hold together by default: 16 M characters (16–32 MB). */
    static final long DEFAULT_BUDGET_CHARS = 16_000_000;

    private final long budgetChars;
    private final Map<DataInfoId, Kept> kept = new HashMap<>();
    private long keptChars;

    private record Kept(DatumValues values, long chars) {
    }

    DeltaBases(long budgetChars) {
        this.budgetChars = budgetChars;
    }

    /** The list last kept for the id, if older than {@code version} (a delta goes forward only). */
    synchronized DatumValues baseFor(DataInfoId id, long version) {
        Kept k = kept.get(id);
        return k != null && k.values.version() < version ? k.values : null;
    }

    /** Keeps a round's list as the id's base, if it is newer than the one kept and worth it. */
    synchronized void remember(DatumValues values) {
        Kept old = kept.get(values.dataInfoId());
        if (old != null && old.values.version() >= values.version()) {
            return;
        }
        long chars = chars(values);
        long without = keptChars - (old == null ? 0 : old.chars);
        if (chars < MIN_CHARS || without + chars > budgetChars) {
            if (old != null) { // a small list now, or no room: the old base would only be wrong
                kept.remove(values.dataInfoId());
                keptChars = without;
            }
            return;
        }
        kept.put(values.dataInfoId(), new Kept(values, chars));
        keptChars = without + chars;
    }

    /** The id has no subscribers here any more. */
    synchronized void forget(DataInfoId id) {
        Kept old = kept.remove(id);
        if (old != null) {
            keptChars -= old.chars;
        }
    }

    synchronized long keptChars() {
        return keptChars;
    }

    synchronized int size() {
        return kept.size();
    }

    private static long chars(DatumValues values) {
        long n = 0;
        for (Map.Entry<String, ? extends List<String>> e : values.valuesByZone().entrySet()) {
            for (String v : e.getValue()) {
                n += v.length();
            }
        }
        return n;
    }
}
