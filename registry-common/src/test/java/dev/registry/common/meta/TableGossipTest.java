package dev.registry.common.meta;

import dev.registry.common.protocol.GetSlotTableRequest;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Which peers a node asks for the slot table while meta is silent, and which answers it installs. No sockets. */
class TableGossipTest {
    private static SlotTable table(long term, long epoch, String... leaders) {
        List<SlotAssignment> slots = new ArrayList<>();
        for (int i = 0; i < leaders.length; i++) {
            slots.add(new SlotAssignment(i, leaders[i], List.of()));
        }
        return new SlotTable(term, epoch, slots);
    }

    private final AtomicReference<SlotTable> held = new AtomicReference<>(table(1, 1, "d1", "d2", "d3"));
    private final AtomicLong sinceMeta = new AtomicLong(5_000);
    private final Map<String, Object> answers = new HashMap<>();
    private final List<String> asked = new ArrayList<>();
    private final List<SlotTable> installed = new ArrayList<>();
    private final TableGossip gossip = new TableGossip("d1", held::get, (server, request) -> {
        assertThat(request).isInstanceOf(GetSlotTableRequest.class);
        asked.add(server);
        Object answer = answers.get(server);
        return answer == null ? CompletableFuture.failedFuture(new IllegalStateException("unreachable"))
                : CompletableFuture.completedFuture(answer);
    }, sinceMeta::get, 2_000, t -> {
        installed.add(t);
        held.set(t);
    });

    /** Simulator seeds 400298, 400631: a data server meta removed, and a session, both missed the table; meta went down. */
    @Test
    void aNodeThatMetaLeftSilentTakesTheNewestTableItsPeersHold() {
        SlotTable newer = table(1, 2, "d2", "d2", "d3");
        answers.put("d2", newer);
        answers.put("d3", table(1, 1, "d1", "d2", "d3"));

        assertThat(gossip.tick()).isEqualTo(2);

        assertThat(asked).containsExactlyInAnyOrder("d2", "d3").doesNotContain("d1");
        assertThat(installed).containsExactly(newer);
    }

    @Test
    void whileMetaAnswersNobodyIsAsked() {
        sinceMeta.set(500);
        answers.put("d2", table(1, 2, "d2", "d2", "d3"));

        assertThat(gossip.tick()).isZero();
        assertThat(asked).isEmpty();
        assertThat(installed).isEmpty();
    }

    @Test
    void olderTablesAndADeposedMetasTermAreNotInstalled() {
        held.set(table(2, 5, "d1", "d2", "d3"));
        answers.put("d2", table(2, 4, "d2", "d2", "d3"));
        answers.put("d3", table(1, 9, "d3", "d2", "d3")); // a newer epoch from an older term: fenced

        gossip.tick();

        assertThat(asked).hasSize(2);
        assertThat(installed).isEmpty();
    }

    @Test
    void aNodeThatNeverHadATableWaitsForMeta() {
        held.set(SlotTable.initial(3));
        sinceMeta.set(Long.MAX_VALUE);

        assertThat(gossip.tick()).isZero();
    }
}
