package dev.registry.common.slot;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.registry.common.model.DataInfoId;

import java.nio.charset.StandardCharsets;

/**
 * Maps a DataInfoId to its slot: {@code floorMod(murmur3_32(canonical UTF-8 bytes), slotCount)}.
 *
 * <p>Stable across JVMs and releases by construction (fixed algorithm, fixed seed 0, fixed
 * byte encoding); never {@code String.hashCode}. Changing this function re-shards a live
 * cluster, so tests pin a few expected values.
 */
public final class SlotHash {
    private static final HashFunction MURMUR3 = Hashing.murmur3_32_fixed(0);

    private SlotHash() {
    }

    public static int hash(DataInfoId id) {
        return id.slotHash(SlotHash::compute);
    }

    private static int compute(DataInfoId id) {
        return MURMUR3.hashString(id.canonical(), StandardCharsets.UTF_8).asInt();
    }

    public static int slotOf(DataInfoId id, int slotCount) {
        if (slotCount <= 0) {
            throw new IllegalArgumentException("slotCount must be positive: " + slotCount);
        }
        return Math.floorMod(hash(id), slotCount);
    }
}
