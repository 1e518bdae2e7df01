package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The short strings and the ids the decoders read again and again (service ids, app names,
 * zones, session and connection ids), looked up by their bytes: a hit returns the shared
 * instance without allocating a String, its byte array or a DataInfoId, and without asking the
 * {@link WireInterner}. Decoding registrations, those were a fifth of a registering server's
 * garbage (a profile of scenario 1 of the benchmark).
 *
 * <p>Direct-mapped and lossy: a slot holds the last string that hashed there, a collision
 * only costs the interner lookup that would have happened anyway. Only ASCII strings up to
 * {@link #MAX_LENGTH} bytes are cached (the byte-by-byte compare is then exact). The slots are
 * written with release and read with acquire semantics, so a DataInfoId (whose fields are not
 * final: a wire DTO) is seen whole by every thread. At most {@code 8192 + 4096} instances are
 * kept alive by the cache; everything else stays weakly interned.
 */
final class DecodeCache {
    static final int MAX_LENGTH = 64;
    private static final int STRING_SLOTS = 8192;
    private static final int ID_SLOTS = 4096;
    private static final AtomicReferenceArray<String> STRINGS = new AtomicReferenceArray<>(STRING_SLOTS);
    private static final AtomicReferenceArray<DataInfoId> IDS = new AtomicReferenceArray<>(ID_SLOTS);

    private DecodeCache() {
    }

    /** The interned string of these UTF-8 bytes ({@code n <= MAX_LENGTH}). */
    static String internedString(byte[] bytes, int offset, int n) {
        int h = 0;
        for (int i = 0; i < n; i++) {
            int b = bytes[offset + i];
            if (b < 0) { // not ASCII: decoded and interned as before
                return WireInterner.string(new String(bytes, offset, n, StandardCharsets.UTF_8));
            }
            h = 31 * h + b; // String.hashCode of the same chars
        }
        int slot = spread(h) & (STRING_SLOTS - 1);
        String cached = STRINGS.getAcquire(slot);
        if (cached != null && sameAscii(cached, bytes, offset, n)) {
            return cached;
        }
        String s = WireInterner.string(new String(bytes, offset, n, StandardCharsets.ISO_8859_1)); // ASCII: same chars
        STRINGS.setRelease(slot, s);
        return s;
    }

    /** The shared id with these (interned) parts. */
    static DataInfoId id(String dataId, String group, String instanceId) {
        int slot = spread((dataId.hashCode() * 31 + group.hashCode()) * 31 + instanceId.hashCode()) & (ID_SLOTS - 1);
        DataInfoId cached = IDS.getAcquire(slot);
        if (cached != null && cached.dataId() == dataId && cached.group() == group && cached.instanceId() == instanceId) {
            return cached; // identity: the parts are interned, and so were the cached id's
        }
        DataInfoId id = WireInterner.id(dataId, group, instanceId);
        IDS.setRelease(slot, id);
        return id;
    }

    private static boolean sameAscii(String s, byte[] bytes, int offset, int n) {
        if (s.length() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) != bytes[offset + i]) {
                return false;
            }
        }
        return true;
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
