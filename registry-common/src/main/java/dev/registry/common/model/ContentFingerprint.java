package dev.registry.common.model;

import java.util.List;
import java.util.Map;

/**
 * A 64-bit fingerprint of what a push shows a subscriber: the values per zone, as a multiset
 * (order does not matter: a re-registered publisher may come back in another position). Two
 * versions of a datum with the same fingerprint show subscribers the same list, so a subscriber
 * that holds one needs no push of the other.
 */
public final class ContentFingerprint {
    private static final long SEED = 0x5eedL;
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private ContentFingerprint() {
    }

    public static long of(Map<String, ? extends List<String>> valuesByZone) {
        java.util.LinkedHashMap<String, long[]> hashes = new java.util.LinkedHashMap<>();
        valuesByZone.forEach((zone, values) -> hashes.put(zone, valueHashes(values)));
        return ofHashes(hashes);
    }

    /** The 64-bit hash of each value, in order: what {@link #ofHashes} and delta pushes compare. */
    public static long[] valueHashes(List<String> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = hash(values.get(i));
        }
        return out;
    }

    /** {@link #of} from the {@link #valueHashes} of each zone's values (the same result). */
    public static long ofHashes(Map<String, long[]> valueHashesByZone) {
        long sum = 0;
        long count = 0;
        for (Map.Entry<String, long[]> zone : valueHashesByZone.entrySet()) {
            long zoneHash = hash(zone.getKey() == null ? "" : zone.getKey());
            for (long valueHash : zone.getValue()) {
                // Per value: mixed with its zone, then summed, so the order of values is irrelevant.
                sum += mix(zoneHash * 0x9E3779B97F4A7C15L + valueHash);
                count++;
            }
        }
        return mix(sum ^ mix(count));
    }

    /**
     * A 64-bit hash of a string's chars in MurmurHash3's style (four chars per block), computed
     * without allocating: a push round hashes every value of the id's list, and a hasher object
     * and buffer per value were a third of a busy session's garbage.
     */
    static long hash(String s) {
        int n = s.length();
        long h = SEED;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            long k = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48;
            h ^= mixBlock(k);
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        long tail = 0;
        for (int shift = 0; i < n; i++, shift += 16) {
            tail |= (long) s.charAt(i) << shift;
        }
        h ^= mixBlock(tail);
        return mix(h ^ n);
    }

    /** Folds {@code next} into the running 64-bit hash {@code h} (order matters). */
    static long combine(long h, long next) {
        return mix(h * 0x9E3779B97F4A7C15L + next);
    }

    private static long mixBlock(long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        return k * C2;
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe53e2f63L;
        h ^= h >>> 33;
        return h;
    }
}
