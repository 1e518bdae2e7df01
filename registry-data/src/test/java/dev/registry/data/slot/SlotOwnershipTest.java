package dev.registry.data.slot;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which requests a data server may serve for a slot. No sockets: the table and the replication roles are given. */
class SlotOwnershipTest {
    private static final int SLOTS = 4;
    private static final String SELF = "d1:1";
    private static final String OTHER = "d2:1";

    private final SlotTableHolder tables = new SlotTableHolder(SLOTS);
    private final Set<Integer> takenOver = new HashSet<>();
    private final AtomicInteger refreshes = new AtomicInteger();
    private final SlotOwnership ownership = new SlotOwnership(SELF, tables, refreshes::incrementAndGet,
            takenOver::contains);

    SlotOwnershipTest() {
        tables.update(new SlotTable(1, 7, List.of(
                new SlotAssignment(0, SELF, List.of(OTHER)),
                new SlotAssignment(1, OTHER, List.of(SELF)),
                new SlotAssignment(2, SELF, List.of(OTHER)),
                new SlotAssignment(3, OTHER, List.of(SELF)))));
    }

    @Test
    void aLedSlotTakesWritesOnceReplicationHasTakenItOver() {
        assertThatThrownBy(() -> ownership.checkTakenOver(0, 7))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER);
                    assertThat(e.getMessage()).contains("d1:1 is taking over slot 0; retry");
                });

        takenOver.add(0);

        ownership.checkTakenOver(0, 7);
        ownership.checkTakenOver(0, 3);
    }

    @Test
    void aSlotLedElsewhereIsRefusedEvenIfReplicationStillLeadsIt() {
        takenOver.add(1);
        assertThatThrownBy(() -> ownership.checkTakenOver(1, 7))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER);
                    assertThat(e.getMessage()).contains("does not lead slot 1");
                });
    }

    @Test
    void aRequestFromANewerTableAsksForTheTableAndIsRefused() {
        takenOver.add(0);
        assertThatThrownBy(() -> ownership.checkTakenOver(0, 8)).isInstanceOf(RpcException.class)
                .hasMessageContaining("older than the request's 8");
        assertThat(refreshes).hasValue(1);
    }

    /**
     * Simulator seed 172: a session's "synced" for a digest made at epoch 10 (answered by the
     * leader before) reached the server that leads the slot since epoch 11 and opened its read
     * gate before that session's repairs landed there.
     */
    @Test
    void aSyncedFromBeforeThisServersTenureSpeaksOfAnotherLeader() {
        tables.update(new SlotTable(2, 11, List.of(
                new SlotAssignment(0, SELF, List.of(OTHER), 11),
                new SlotAssignment(1, OTHER, List.of(SELF), 3),
                new SlotAssignment(2, SELF, List.of(OTHER), 4),
                new SlotAssignment(3, OTHER, List.of(SELF), 3))));

        assertThat(ownership.predatesTenure(0, 10)).isTrue();
        assertThat(ownership.predatesTenure(0, 11)).isFalse();
        assertThat(ownership.predatesTenure(2, 10)).as("led since 4").isFalse();
    }

    @Test
    void anIdMustBelongToTheSlotTheRequestNames() {
        DataInfoId id = DataInfoId.of("com.example.Service");
        int slot = SlotHash.slotOf(id, SLOTS);

        ownership.checkSlot(slot, id);
        assertThatThrownBy(() -> ownership.checkSlot((slot + 1) % SLOTS, id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to slot " + slot);
    }

    @Test
    void aRequestNeedsAValidId() {
        assertThatThrownBy(() -> SlotOwnership.requireId(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataInfoId is required");
        DataInfoId id = DataInfoId.of("com.example.Service");
        assertThat(SlotOwnership.requireId(id)).isEqualTo(id.validate());
    }
}
