package dev.registry.data.replication;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.ReplicateRequest;
import dev.registry.common.protocol.ReplicateResponse;
import dev.registry.common.rpc.PeerCalls;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.store.DatumStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the simulator (seed 385): a follower that restarted empty under its address, while
 * its slot had no writes, was never sent anything again (its leader thought it in sync), and
 * stayed empty until the slot's next write. A synced follower is now probed when it has not
 * answered for four probe intervals; the restarted one answers from no log and takes a snapshot.
 */
class IdleFollowerProbeTest {
    private static final String SELF = "d1:1";
    private static final String FOLLOWER = "d2:1";
    private static final DataInfoId ID = DataInfoId.of("svc.idle");

    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<ReplicateRequest> sent = new ArrayList<>();
    private final List<CompletableFuture<Object>> answers = new ArrayList<>();
    private final PeerCalls peers = new PeerCalls() {
        @Override
        @SuppressWarnings("unchecked")
        public <T> CompletableFuture<T> call(String peer, Object request, Class<T> type, Duration timeout) {
            sent.add((ReplicateRequest) request);
            CompletableFuture<Object> f = new CompletableFuture<>();
            answers.add(f);
            return (CompletableFuture<T>) f;
        }
    };
    private final DatumStore store = new DatumStore(clock::get, 1);
    private final SlotReplication replication = new SlotReplication(SELF, store, peers,
            SlotReplication.Settings.defaults(), clock::get, "test");

    @Test
    void aSyncedIdleFollowerIsProbedAfterFourProbeIntervalsAndOnlyThen() {
        replication.onSlotTable(new SlotTable(1, 2, List.of(new SlotAssignment(0, SELF, List.of(FOLLOWER)))));
        replication.write(0, st -> st.put(0, new Publisher(ID, "r1", 1, List.of("10.0.0.1:1"), "app", null, null, 0,
                "s1", "c1")));
        replication.pump();
        assertThat(sent).hasSize(1);
        String logId = sent.get(0).logId();
        answers.get(0).complete(new ReplicateResponse(true, logId, 1)); // in sync, nothing pending

        clock.addAndGet(1_900);
        replication.pump();
        assertThat(sent).as("in sync and heard from lately: nothing to send").hasSize(1);

        clock.addAndGet(200); // 2.1 s without an answer
        replication.pump();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).entries()).as("a probe").isEmpty();
        assertThat(sent.get(1).fromSeq()).isEqualTo(2);

        // The follower restarted empty: it answers from no log, and the leader starts over with it.
        answers.get(1).complete(new ReplicateResponse(false, null, 0));
        clock.addAndGet(150);
        replication.pump();
        assertThat(sent).as("contact resumed at once: the follower pulls a snapshot of this log").hasSize(3);
        assertThat(sent.get(2).logId()).isEqualTo(logId);
    }
}
