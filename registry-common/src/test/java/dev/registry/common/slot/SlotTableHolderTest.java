package dev.registry.common.slot;

import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.MetaRedirect;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.serialize.Serializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tables move forward by (term, epoch): the fencing that keeps a deposed meta leader out. */
class SlotTableHolderTest {
    private static final String A = "10.0.0.1:9620";
    private static final String B = "10.0.0.2:9620";

    @Test
    void installsOnlyNewerEpochsWithinATerm() {
        SlotTableHolder holder = new SlotTableHolder(2);
        List<SlotTable[]> seen = new ArrayList<>();
        holder.addListener((old, now) -> seen.add(new SlotTable[]{old, now}));

        assertThat(holder.update(table(1, 3, A))).isTrue();
        assertThat(holder.update(table(1, 3, B))).as("same term and epoch").isFalse();
        assertThat(holder.update(table(1, 2, B))).as("older epoch").isFalse();
        assertThat(holder.update(table(1, 4, B))).isTrue();

        assertThat(holder.term()).isEqualTo(1);
        assertThat(holder.epoch()).isEqualTo(4);
        assertThat(holder.current().slot(0).leader()).isEqualTo(B);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1)[0].epoch()).isEqualTo(3);
    }

    /**
     * A table pushed by meta and an older one in a heartbeat answer, installed at the same time
     * by two threads: listeners must see them in the order installed (CI saw a data server apply
     * epoch 3 after epoch 4 and stop leading its slots).
     */
    @Test
    void listenersSeeRacingUpdatesInTheOrderTheyWereInstalled() throws Exception {
        for (int round = 0; round < 300; round++) {
            SlotTableHolder holder = new SlotTableHolder(2);
            List<Long> applied = java.util.Collections.synchronizedList(new ArrayList<>());
            holder.addListener((old, now) -> {
                Thread.yield(); // widen the window between installing and telling
                applied.add(now.epoch());
            });
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            Thread older = new Thread(() -> {
                awaitQuietly(go);
                holder.update(table(1, 3, A));
            });
            Thread newer = new Thread(() -> {
                awaitQuietly(go);
                holder.update(table(1, 4, B));
            });
            older.start();
            newer.start();
            go.countDown();
            older.join();
            newer.join();
            assertThat(applied).as("round %d", round).isSorted();
            assertThat(applied.get(applied.size() - 1)).isEqualTo(holder.epoch());
        }
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void newerTermWinsEvenWithALowerEpoch() {
        SlotTableHolder holder = new SlotTableHolder(2);
        holder.update(table(1, 40, A));

        assertThat(holder.update(table(2, 5, B))).isTrue();

        assertThat(holder.term()).isEqualTo(2);
        assertThat(holder.epoch()).isEqualTo(5);
    }

    @Test
    void tableOfADeposedLeaderIsRefusedWhateverItsEpoch() {
        SlotTableHolder holder = new SlotTableHolder(2);
        holder.update(table(3, 10, A));

        assertThat(holder.update(table(2, 11, B))).isFalse();
        assertThat(holder.update(table(2, Long.MAX_VALUE, B))).isFalse();
        assertThat(holder.update(table(0, 99, B))).as("a table without a term").isFalse();

        assertThat(holder.current().slot(0).leader()).isEqualTo(A);
        assertThat(holder.term()).isEqualTo(3);
    }

    @Test
    void termZeroTablesStillOrderByEpoch() {
        SlotTableHolder holder = new SlotTableHolder(2);

        assertThat(holder.update(new SlotTable(1, table(0, 1, A).slots()))).isTrue();
        assertThat(holder.update(new SlotTable(2, table(0, 2, B).slots()))).isTrue();
        assertThat(holder.update(table(1, 1, A))).as("any term beats term 0").isTrue();
    }

    @Test
    void refusesAnotherSlotCount() {
        SlotTableHolder holder = new SlotTableHolder(2);

        assertThatThrownBy(() -> holder.update(new SlotTable(5, 1, SlotTable.initial(3).slots())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot count");
    }

    @Test
    void withEpochKeepsTheTermAndWithTermAndEpochRestamps() {
        SlotTable t = table(4, 7, A);

        assertThat(t.withEpoch(8).term()).isEqualTo(4);
        assertThat(t.withTermAndEpoch(5, 8).term()).isEqualTo(5);
        assertThat(t.withTermAndEpoch(5, 8).sameAssignments(t)).isTrue();
        assertThat(t.toString()).contains("term=4").contains("epoch=7");
        assertThatThrownBy(() -> new SlotTable(-1, 0, t.slots())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void termAndMetaMessagesSurviveTheWire() throws Exception {
        Serializer serializer = WireClasses.serializer();
        SlotTable t = table(6, 9, A);
        OperationalSwitches switches = new OperationalSwitches(3, List.of("10.1.1.2", "10.1.1.1", "10.1.1.2"), true);

        HeartbeatResponse back = (HeartbeatResponse) serializer.deserialize(serializer.serialize(
                new HeartbeatResponse(9, t, new ArrayList<>(List.of(A)), new ArrayList<>(), 6, switches)));
        MetaRedirect redirect = (MetaRedirect) serializer.deserialize(serializer.serialize(
                new MetaRedirect("10.0.0.9:9610", 6, "follower")));

        assertThat(back.slotTable().term()).isEqualTo(6);
        assertThat(back.slotTable().epoch()).isEqualTo(9);
        assertThat(back.slotTable().sameAssignments(t)).isTrue();
        assertThat(back.term()).isEqualTo(6);
        assertThat(back.switches()).isEqualTo(switches);
        assertThat(back.switches().clientOffIps()).containsExactly("10.1.1.1", "10.1.1.2");
        assertThat(redirect.leaderAddress()).isEqualTo("10.0.0.9:9610");
        assertThat(redirect.term()).isEqualTo(6);
    }

    private static SlotTable table(long term, long epoch, String leader) {
        return new SlotTable(term, epoch, List.of(new SlotAssignment(0, leader, List.of()),
                new SlotAssignment(1, leader, List.of())));
    }
}
