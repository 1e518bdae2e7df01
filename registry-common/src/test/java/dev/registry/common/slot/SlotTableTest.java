package dev.registry.common.slot;

import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlotTableTest {

    @Test
    void initialTableHasNoLeadersAndEpochZero() {
        SlotTable table = SlotTable.initial(8);

        assertThat(table.epoch()).isZero();
        assertThat(table.slotCount()).isEqualTo(8);
        assertThat(table.isComplete()).isFalse();
        assertThat(table.servers()).isEmpty();
        assertThat(table.slots()).allSatisfy(s -> assertThat(s.leader()).isNull());
    }

    @Test
    void idsMapThroughSlotHash() {
        SlotTable table = twoServerTable(7);
        DataInfoId id = DataInfoId.of("com.example.EchoService");

        assertThat(table.slotOf(id)).isEqualTo(SlotHash.slotOf(id, 4));
        assertThat(table.assignmentOf(id)).isEqualTo(table.slot(table.slotOf(id)));
    }

    @Test
    void reportsServersAndLedSlots() {
        SlotTable table = twoServerTable(7);

        assertThat(table.isComplete()).isTrue();
        assertThat(table.servers()).containsExactly("10.0.0.1:9600", "10.0.0.2:9600");
        assertThat(table.slotsLedBy("10.0.0.1:9600")).containsExactly(0, 2);
        assertThat(table.slotsLedBy("10.0.0.2:9600")).containsExactly(1, 3);
        assertThat(table.slot(0).involves("10.0.0.2:9600")).isTrue();
        assertThat(table.slot(0).involves("10.0.0.3:9600")).isFalse();
    }

    @Test
    void sameAssignmentsIgnoresEpoch() {
        SlotTable table = twoServerTable(7);

        assertThat(table.withEpoch(8).epoch()).isEqualTo(8);
        assertThat(table.withEpoch(8).sameAssignments(table)).isTrue();
        assertThat(SlotTable.initial(4).sameAssignments(table)).isFalse();
    }

    @Test
    void rejectsSlotsOutOfOrder() {
        List<SlotAssignment> slots = List.of(new SlotAssignment(1, "a:1", List.of()), new SlotAssignment(0, "a:1", List.of()));

        assertThatThrownBy(() -> new SlotTable(1, slots)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isImmutableToItsCaller() {
        SlotTable table = twoServerTable(7);

        assertThatThrownBy(() -> table.slots().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> table.slot(0).followers().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    static SlotTable twoServerTable(long epoch) {
        String a = "10.0.0.1:9600";
        String b = "10.0.0.2:9600";
        return new SlotTable(epoch, List.of(
                new SlotAssignment(0, a, List.of(b)),
                new SlotAssignment(1, b, List.of(a)),
                new SlotAssignment(2, a, List.of(b)),
                new SlotAssignment(3, b, List.of())));
    }
}
