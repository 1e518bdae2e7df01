package dev.registry.common.protocol;

import dev.registry.common.model.ContentFingerprint;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Delta pushes: a subscriber that holds version A of an id's list gets only what changed to
 * version B, as one splice per changed zone, instead of the whole list. A change of one
 * publisher among 200 is then one value on the wire, not 200.
 *
 * <p>{@link #between} is exact: {@code apply(a, between(a, b)) } equals {@code b}, values and
 * their order in every zone, and the zones in order. It declines (empty) when the zone order
 * of B is not A's with the vanished zones dropped and the new ones appended (a delta could not
 * express it), or when the delta would not be clearly smaller than the full list. Pure.
 */
public final class PushDeltas {
    /** A delta is sent only below this share of the full list's characters. */
    static final double MAX_SHARE = 0.5;

    private PushDeltas() {
    }

    /** The splices that turn {@code from} into {@code to}, or empty where a full push is better. */
    public static Optional<List<ZoneSplice>> between(Map<String, ? extends List<String>> from,
                                                     Map<String, ? extends List<String>> to) {
        return between(hashes(from), to, hashes(to));
    }

    /** The {@link ContentFingerprint#valueHashes} of every zone, in zone order. */
    public static LinkedHashMap<String, long[]> hashes(Map<String, ? extends List<String>> valuesByZone) {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        valuesByZone.forEach((zone, values) -> out.put(zone, ContentFingerprint.valueHashes(values)));
        return out;
    }

    /**
     * As {@link #between(Map, Map)}, comparing values by their 64-bit hashes: a sender keeps only
     * the hashes of the list it pushed last (a long per value instead of the strings). Two
     * different values with one hash would make a wrong delta; the receiver's fingerprint check
     * catches it and asks for the full list.
     *
     * @param fromHashes the value hashes of the list the subscribers hold
     * @param toHashes   the value hashes of {@code to}
     */
    public static Optional<List<ZoneSplice>> between(Map<String, long[]> fromHashes,
                                                     Map<String, ? extends List<String>> to,
                                                     Map<String, long[]> toHashes) {
        if (!sameZoneOrder(fromHashes, to)) {
            return Optional.empty();
        }
        List<ZoneSplice> splices = new ArrayList<>();
        long fullChars = 0;
        long deltaChars = 0;
        for (Map.Entry<String, ? extends List<String>> e : to.entrySet()) {
            List<String> b = e.getValue();
            long[] bh = toHashes.get(e.getKey());
            long[] ah = fromHashes.getOrDefault(e.getKey(), NONE);
            fullChars += chars(b, 0, b.size()) + 8;
            int prefix = 0;
            int max = Math.min(ah.length, bh.length);
            while (prefix < max && ah[prefix] == bh[prefix]) {
                prefix++;
            }
            int suffix = 0;
            while (suffix < max - prefix && ah[ah.length - 1 - suffix] == bh[bh.length - 1 - suffix]) {
                suffix++;
            }
            int removed = ah.length - prefix - suffix;
            List<String> inserted = b.subList(prefix, b.size() - suffix);
            if (removed > 0 || !inserted.isEmpty()) {
                splices.add(new ZoneSplice(e.getKey(), prefix, removed, inserted));
                deltaChars += chars(inserted, 0, inserted.size()) + 12;
            }
        }
        for (Map.Entry<String, long[]> e : fromHashes.entrySet()) {
            if (!to.containsKey(e.getKey())) {
                splices.add(new ZoneSplice(e.getKey(), 0, e.getValue().length, List.of())); // the zone is gone
                deltaChars += 12;
            }
        }
        return deltaChars < fullChars * MAX_SHARE ? Optional.of(splices) : Optional.empty();
    }

    private static final long[] NONE = new long[0];

    /**
     * {@code from} with the splices applied: a new map, {@code from} is not changed. Throws
     * IllegalArgumentException for a splice that does not fit (the base was not what the sender
     * thought: the receiver then asks for the full list).
     */
    public static LinkedHashMap<String, List<String>> apply(Map<String, ? extends List<String>> from,
                                                           List<ZoneSplice> splices) {
        LinkedHashMap<String, List<String>> out = new LinkedHashMap<>();
        from.forEach((zone, values) -> out.put(zone, values));
        for (ZoneSplice s : splices) {
            List<String> current = out.getOrDefault(s.zone(), List.of());
            if (s.start() > current.size() || s.removeCount() > current.size() - s.start()) {
                throw new IllegalArgumentException("splice " + s + " does not fit zone " + s.zone() + " of "
                        + current.size() + " values");
            }
            List<String> changed = new ArrayList<>(current.size() - s.removeCount() + s.inserted().size());
            changed.addAll(current.subList(0, s.start()));
            changed.addAll(s.inserted());
            changed.addAll(current.subList(s.start() + s.removeCount(), current.size()));
            if (changed.isEmpty()) {
                out.remove(s.zone());
            } else {
                out.put(s.zone(), changed);
            }
        }
        return out;
    }

    /**
     * The value hashes of {@code apply(from, splices)}, from the hashes of {@code from}: only the
     * inserted values are hashed, so a receiver checks a delta's fingerprint
     * ({@link ContentFingerprint#ofHashes}) in time proportional to the change, not the list.
     * Throws IllegalArgumentException for a splice that does not fit, as {@link #apply} does.
     */
    public static LinkedHashMap<String, long[]> applyToHashes(Map<String, long[]> from, List<ZoneSplice> splices) {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>(from);
        for (ZoneSplice s : splices) {
            long[] current = out.getOrDefault(s.zone(), NONE);
            if (s.start() > current.length || s.removeCount() > current.length - s.start()) {
                throw new IllegalArgumentException("splice " + s + " does not fit zone " + s.zone() + " of "
                        + current.length + " values");
            }
            long[] inserted = ContentFingerprint.valueHashes(s.inserted());
            int tail = current.length - s.start() - s.removeCount();
            long[] changed = new long[s.start() + inserted.length + tail];
            System.arraycopy(current, 0, changed, 0, s.start());
            System.arraycopy(inserted, 0, changed, s.start(), inserted.length);
            System.arraycopy(current, s.start() + s.removeCount(), changed, s.start() + inserted.length, tail);
            if (changed.length == 0) {
                out.remove(s.zone());
            } else {
                out.put(s.zone(), changed);
            }
        }
        return out;
    }

    /** B's zones are A's (those still there, same order) followed by the new ones. */
    private static boolean sameZoneOrder(Map<String, ?> from, Map<String, ?> to) {
        Iterator<String> kept = from.keySet().stream().filter(to::containsKey).iterator();
        boolean appending = false;
        for (String zone : to.keySet()) {
            if (from.containsKey(zone)) {
                if (appending || !kept.hasNext() || !kept.next().equals(zone)) {
                    return false;
                }
            } else {
                appending = true;
            }
        }
        return true;
    }

    private static long chars(List<String> values, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            n += values.get(i).length() + 2;
        }
        return n;
    }
}
