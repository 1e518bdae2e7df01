package dev.registry.data.replication;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.OpLogEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlotOpLogTest {
    private static final DataInfoId ID = DataInfoId.of("svc");

    private static void append(SlotOpLog log, int n) {
        for (int i = 0; i < n; i++) {
            log.append(SlotReplication.KIND_REMOVE, null, ID, "r" + i, 100 + i, 1);
        }
    }

    @Test
    void entriesAreNumberedFromOneInOrder() {
        SlotOpLog log = new SlotOpLog("L@1/0", 100);
        assertThat(log.lastSeq()).isZero();
        assertThat(log.firstSeq()).isEqualTo(1);
        append(log, 3);
        assertThat(log.lastSeq()).isEqualTo(3);
        assertThat(log.from(1, 10)).extracting(OpLogEntry::seq).containsExactly(1L, 2L, 3L);
        assertThat(log.from(2, 1)).extracting(OpLogEntry::seq).containsExactly(2L);
        assertThat(log.from(4, 10)).isEmpty();
    }

    @Test
    void truncatedEntriesAreReportedAsMissingSoTheFollowerSnapshots() {
        SlotOpLog log = new SlotOpLog("L@1/0", 100);
        append(log, 10);
        log.truncateThrough(6);
        assertThat(log.firstSeq()).isEqualTo(7);
        assertThat(log.from(5, 10)).isNull();
        assertThat(log.from(7, 10)).extracting(OpLogEntry::seq).containsExactly(7L, 8L, 9L, 10L);
        log.truncateThrough(10);
        assertThat(log.size()).isZero();
        assertThat(log.firstSeq()).isEqualTo(11);
        assertThat(log.from(11, 10)).isEmpty();
    }

    @Test
    void memoryIsBoundedByDroppingTheOldestEntries() {
        SlotOpLog log = new SlotOpLog("L@1/0", 5);
        append(log, 12);
        assertThat(log.size()).isEqualTo(5);
        assertThat(log.firstSeq()).isEqualTo(8);
        assertThat(log.lastSeq()).isEqualTo(12);
        assertThat(log.from(1, 100)).isNull();
    }

    @Test
    void entriesCarryTheChangeAndTheVersionItProduced() {
        SlotOpLog log = new SlotOpLog("L@1/0", 5);
        OpLogEntry e = log.append(SlotReplication.KIND_REMOVE, null, ID, "r1", 42, 7);
        assertThat(e.seq()).isEqualTo(1);
        assertThat(e.registerId()).isEqualTo("r1");
        assertThat(e.version()).isEqualTo(42);
        assertThat(List.of(e.changedAtMillis())).containsExactly(7L);
    }

    @Test
    void rejectsANonPositiveBound() {
        assertThatThrownBy(() -> new SlotOpLog("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
