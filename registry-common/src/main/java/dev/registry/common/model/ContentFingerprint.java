package dev.registry.common.model;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

import java.util.List;
import java.util.Map;

/**
 * A 64-bit fingerprint of what a push shows a subscriber: the values per zone, as a multiset
 * (order does not matter: a re-registered publisher may come back in another position). Two
 * versions of a datum with the same fingerprint show subscribers the same list, so a subscriber
 * that holds one needs no push of the other.
 */
public final class ContentFingerprint {
    private static final HashFunction HASH = Hashing.murmur3_128(0x5eed);

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
            out[i] = HASH.hashUnencodedChars(values.get(i)).asLong();
        }
        return out;
    }

    /** {@link #of} from the {@link #valueHashes} of each zone's values (the same result). */
    public static long ofHashes(Map<String, long[]> valueHashesByZone) {
        long sum = 0;
        long count = 0;
        for (Map.Entry<String, long[]> zone : valueHashesByZone.entrySet()) {
            long zoneHash = HASH.hashUnencodedChars(zone.getKey() == null ? "" : zone.getKey()).asLong();
            for (long valueHash : zone.getValue()) {
                // Per value: mixed with its zone, then summed, so the order of values is irrelevant.
                sum += mix(zoneHash * 0x9E3779B97F4A7C15L + valueHash);
                count++;
            }
        }
        return mix(sum ^ mix(count));
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
