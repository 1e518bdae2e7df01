package dev.registry.data.replication;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.DatumBatch;
import dev.registry.common.protocol.FetchDatumsRequest;
import dev.registry.common.protocol.ReplicateRequest;
import dev.registry.common.protocol.SlotSnapshotDigest;
import dev.registry.common.protocol.SlotSnapshotDigestRequest;
import dev.registry.common.rpc.PeerCalls;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.store.DatumStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A follower's snapshot from its leader, with the leader's answers in the test's hands (the
 * {@link PeerCalls} seam): a datum the leader holds at the same version but with other
 * publishers is fetched, and a snapshot answered after this server stopped following the slot
 * from that leader is not applied.
 */
class FollowerSnapshotTest {
    private static final int SLOTS = 1;
    private static final String SELF = "d1:1";
    private static final String LEADER = "d2:1";
    private static final DataInfoId ID = DataInfoId.of("svc.snap");
    private static final int SLOT = SlotHash.slotOf(ID, SLOTS);

    private final AtomicLong clock = new AtomicLong(1_000);
    private final DatumStore store = new DatumStore(clock::get, SLOTS);
    /** Calls the follower made, by request class, with the future the test completes. */
    private final Map<Class<?>, CompletableFuture<Object>> calls = new ConcurrentHashMap<>();
    private final PeerCalls peers = new PeerCalls() {
        @Override
        @SuppressWarnings("unchecked")
        public <T> CompletableFuture<T> call(String peer, Object request, Class<T> type, Duration timeout) {
            CompletableFuture<Object> f = new CompletableFuture<>();
            calls.put(request.getClass(), f);
            return (CompletableFuture<T>) f;
        }
    };
    private final SlotReplication replication = new SlotReplication(SELF, store, peers,
            SlotReplication.Settings.defaults(), clock::get, "test");

    private static SlotTable table(long epoch, String leader, String follower) {
        return new SlotTable(1, epoch, List.of(new SlotAssignment(SLOT, leader, List.of(follower))));
    }

    private static Publisher publisher(String registerId, String value) {
        return new Publisher(ID, registerId, 1, List.of(value), "app", "10.0.0.1", null, 0, "s1", "c1");
    }

    /** The leader's log is new to this follower: it asks for a digest and answers "not yet". */
    private void startSnapshot() {
        replication.onSlotTable(table(2, LEADER, SELF));
        assertThat(replication.onReplicate(new ReplicateRequest(2, SLOT, "leader-log", 1, new ArrayList<>())).accepted())
                .isFalse();
        assertThat(calls).containsKey(SlotSnapshotDigestRequest.class);
    }

    @Test
    void aDatumAtTheSameVersionWithOtherPublishersIsFetched() {
        store.applyPut(SLOT, publisher("stale", "10.9.9.9:1"), 5_000, 1);
        startSnapshot();
        // Another leader stamped the same version on different content (versions come from its clock).
        calls.remove(SlotSnapshotDigestRequest.class).complete(new SlotSnapshotDigest("leader-log", 3,
                new ArrayList<>(List.of(ID)), new ArrayList<>(List.of(5_000L)), new ArrayList<>(List.of(42L))));
        assertThat(calls).as("the differing content is fetched").containsKey(FetchDatumsRequest.class);
        calls.remove(FetchDatumsRequest.class).complete(new DatumBatch(new ArrayList<>(List.of(
                new Datum(ID, 5_000, List.of(publisher("fresh", "10.1.1.1:1")), 1)))));
        assertThat(store.get(SLOT, ID).values()).containsExactly("10.1.1.1:1");
    }

    @Test
    void aDatumAtTheSameVersionAndContentIsNotFetched() {
        store.applyPut(SLOT, publisher("same", "10.1.1.1:1"), 5_000, 1);
        long hash = store.digest(SLOT).get(ID).contentHash();
        startSnapshot();
        calls.remove(SlotSnapshotDigestRequest.class).complete(new SlotSnapshotDigest("leader-log", 3,
                new ArrayList<>(List.of(ID)), new ArrayList<>(List.of(5_000L)), new ArrayList<>(List.of(hash))));
        assertThat(calls).doesNotContainKey(FetchDatumsRequest.class);
    }

    @Test
    void aSnapshotAnsweredAfterThisServerTookTheSlotOverIsNotApplied() {
        startSnapshot();
        calls.remove(SlotSnapshotDigestRequest.class).complete(new SlotSnapshotDigest("leader-log", 3,
                new ArrayList<>(List.of(ID)), new ArrayList<>(List.of(7_000L)), new ArrayList<>(List.of(1L))));
        CompletableFuture<Object> datums = calls.remove(FetchDatumsRequest.class);
        // Meanwhile the old leader is gone and this server leads the slot; sessions wrote to it.
        replication.onSlotTable(table(3, SELF, LEADER));
        replication.write(SLOT, st -> st.put(SLOT, publisher("written-here", "10.2.2.2:2")));

        datums.complete(new DatumBatch(new ArrayList<>(List.of(
                new Datum(ID, 7_000, List.of(publisher("old-leader", "10.8.8.8:8")), 1)))));
        assertThat(store.get(SLOT, ID).values()).as("the late answer of the old leader is dropped")
                .containsExactly("10.2.2.2:2");
    }
}
