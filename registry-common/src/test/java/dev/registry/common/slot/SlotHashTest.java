package dev.registry.common.slot;

import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlotHashTest {

    /*
     * Pinned values. Every session and data server computes slots with this function, and data
     * lives on the servers that lead those slots: if these numbers change, a rolling upgrade puts
     * old and new nodes in disagreement about where every service lives (a re-shard of a live
     * cluster). Do not "fix" these literals to make a change pass; the change itself is the bug.
     */
    @Test
    void hashAndSlotArePinned() {
        assertPinned(DataInfoId.of("com.example.EchoService"), 822188582, 38);
        assertPinned(DataInfoId.of("svc-0"), -312781570, 254);
        assertPinned(DataInfoId.of("svc-1", "rpc", "tenant-a"), 485668071, 231);
        assertPinned(DataInfoId.parse("order-service#@#DEFAULT_INSTANCE_ID#@#SOFA"), -1987346264, 168);
        assertPinned(DataInfoId.of("服务-ü"), -54615916, 148);
    }

    private static void assertPinned(DataInfoId id, int hash, int slotOf256) {
        assertThat(SlotHash.hash(id)).as("hash of %s", id).isEqualTo(hash);
        assertThat(SlotHash.slotOf(id, SlotTable.DEFAULT_SLOT_COUNT)).as("slot of %s", id).isEqualTo(slotOf256);
    }

    @Test
    void hashIsStandardMurmur3OfCanonicalUtf8() {
        for (int i = 0; i < 2_000; i++) {
            DataInfoId id = DataInfoId.of("svc-" + i + (i % 3 == 0 ? "-ü服务" : ""), "g" + (i % 7), "t" + (i % 5));
            byte[] utf8 = id.canonical().getBytes(StandardCharsets.UTF_8);

            assertThat(SlotHash.hash(id)).as("hash of %s", id).isEqualTo(ReferenceMurmur3.hash32(utf8, 0));
        }
    }

    @Test
    void referenceImplementationMatchesPublishedVectors() {
        // From the MurmurHash3 x86_32 test vectors (SMHasher / widely republished).
        assertThat(ReferenceMurmur3.hash32(new byte[0], 0)).isEqualTo(0);
        assertThat(ReferenceMurmur3.hash32(new byte[0], 1)).isEqualTo(0x514E28B7);
        assertThat(ReferenceMurmur3.hash32("hello".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(0x248BFA47);
        assertThat(ReferenceMurmur3.hash32("Hello, world!".getBytes(StandardCharsets.UTF_8), 1234))
                .isEqualTo(0xFAF6CDB3);
    }

    @Test
    void slotIsNeverNegativeAndWithinRange() {
        for (int i = 0; i < 5_000; i++) {
            DataInfoId id = DataInfoId.of("neg-" + i);
            for (int slots : new int[] {1, 7, 16, 256, 1000}) {
                assertThat(SlotHash.slotOf(id, slots)).isBetween(0, slots - 1);
            }
            assertThat(SlotHash.slotOf(id, 256)).isEqualTo(Math.floorMod(SlotHash.hash(id), 256));
        }
    }

    @Test
    void rejectsNonPositiveSlotCount() {
        DataInfoId id = DataInfoId.of("svc");

        assertThatThrownBy(() -> SlotHash.slotOf(id, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SlotHash.slotOf(id, -256)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void similarIdsSpreadEvenlyOverSlots() {
        int slots = SlotTable.DEFAULT_SLOT_COUNT;
        int ids = 100_000;
        int[] counts = new int[slots];
        for (int i = 0; i < ids; i++) {
            counts[SlotHash.slotOf(DataInfoId.of("svc-" + i), slots)]++;
        }

        double mean = (double) ids / slots;
        double chiSquare = 0;
        for (int c : counts) {
            chiSquare += (c - mean) * (c - mean) / mean;
        }
        int max = Arrays.stream(counts).max().orElseThrow();
        int min = Arrays.stream(counts).min().orElseThrow();
        assertThat(max).as("fullest slot").isLessThanOrEqualTo((int) (1.25 * mean));
        assertThat(min).as("emptiest slot").isGreaterThanOrEqualTo((int) Math.ceil(0.75 * mean));
        // 255 degrees of freedom: 330.5 is the p = 0.001 critical value (uniform would be ~255).
        assertThat(chiSquare).as("chi-square").isLessThan(330.5);
    }

    /** MurmurHash3 x86_32, written from the reference C code, independent of Guava. */
    static final class ReferenceMurmur3 {
        private ReferenceMurmur3() {
        }

        static int hash32(byte[] data, int seed) {
            final int c1 = 0xcc9e2d51;
            final int c2 = 0x1b873593;
            int h = seed;
            int blocks = data.length / 4;
            for (int i = 0; i < blocks; i++) {
                int k = (data[4 * i] & 0xff) | (data[4 * i + 1] & 0xff) << 8
                        | (data[4 * i + 2] & 0xff) << 16 | (data[4 * i + 3] & 0xff) << 24;
                k *= c1;
                k = Integer.rotateLeft(k, 15);
                k *= c2;
                h ^= k;
                h = Integer.rotateLeft(h, 13);
                h = h * 5 + 0xe6546b64;
            }
            int k = 0;
            int tail = blocks * 4;
            switch (data.length & 3) {
                case 3:
                    k ^= (data[tail + 2] & 0xff) << 16;
                    // fall through
                case 2:
                    k ^= (data[tail + 1] & 0xff) << 8;
                    // fall through
                case 1:
                    k ^= data[tail] & 0xff;
                    k *= c1;
                    k = Integer.rotateLeft(k, 15);
                    k *= c2;
                    h ^= k;
                    break;
                default:
                    break;
            }
            h ^= data.length;
            h ^= h >>> 16;
            h *= 0x85ebca6b;
            h ^= h >>> 13;
            h *= 0xc2b2ae35;
            h ^= h >>> 16;
            return h;
        }
    }
}
