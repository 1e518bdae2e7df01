package dev.registry.session.publish;

import com.google.common.net.HostAndPort;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SessionSlotDigestResponse;
import dev.registry.common.protocol.SlotSyncDone;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.link.DataServerLinks;
import dev.registry.session.store.SessionPublisherStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reconciler against a leader endpoint that records what it is told (on a real socket).
 * The data server's side of the protocol is covered end to end in registry-server.
 */
class SlotReconcilerTest {
    private static final int SLOTS = 4;

    private final SlotTableHolder tables = new SlotTableHolder(SLOTS);
    private final List<Long> digestEpochs = new CopyOnWriteArrayList<>();
    private final List<Long> syncDoneEpochs = new CopyOnWriteArrayList<>();
    private volatile boolean refuseFirstDigest;
    /** When set, the leader answers digests only once it is counted down. */
    private volatile java.util.concurrent.CountDownLatch holdDigests;
    private final List<List<String>> digestListings = new CopyOnWriteArrayList<>();
    private final SessionPublisherStore store = new SessionPublisherStore(SLOTS);
    private RpcServer leader;
    private RpcClient client;
    private ScheduledExecutorService scheduler;
    private DataServerLinks links;

    @BeforeEach
    void start() {
        HandlerRegistry handlers = new HandlerRegistry()
                .register(SessionHello.class, (c, hello) -> new WriteResult(0, false))
                .register(SessionSlotDigestRequest.class, (c, digest) -> {
                    digestEpochs.add(digest.epoch());
                    java.util.concurrent.CountDownLatch hold = holdDigests;
                    if (hold != null && !hold.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                        throw new RpcException(ErrorCode.UNAVAILABLE, "held too long");
                    }
                    digestListings.add(digest.registerIds() == null ? List.of() : List.copyOf(digest.registerIds()));
                    if (refuseFirstDigest && digestEpochs.size() == 1) {
                        // Unreachable for now; meanwhile the client registers another publisher, and
                        // when the retry gets through another table is in use.
                        store.put(publisher("r2"));
                        tables.update(tables.current().withEpoch(tables.epoch() + 1));
                        throw new RpcException(ErrorCode.UNAVAILABLE, "not now");
                    }
                    if (refuseFirstDigest) {
                        return new SessionSlotDigestResponse(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                                new ArrayList<>());
                    }
                    // The table changes while the digest is answered (the same leader here; in the
                    // failure it was another server that took the slot over meanwhile).
                    tables.update(tables.current().withEpoch(tables.epoch() + 1));
                    return new SessionSlotDigestResponse(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                            new ArrayList<>());
                })
                .register(SlotSyncDone.class, (c, done) -> {
                    syncDoneEpochs.add(done.epoch());
                    return new WriteResult(0, false);
                });
        leader = new RpcServer("fake-leader", RpcConfig.serverDefaults().withWorkerThreads(1), WireClasses.serializer(),
                handlers, new ConnectionListener() { });
        String address = "127.0.0.1:" + leader.start("127.0.0.1", 0).getPort();
        List<SlotAssignment> slots = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            slots.add(new SlotAssignment(i, address, List.of()));
        }
        tables.update(new SlotTable(1, 1, slots));

        client = new RpcClient("session-test", RpcConfig.clientDefaults(), WireClasses.serializer(), new HandlerRegistry(),
                new ConnectionListener() { });
        scheduler = Executors.newSingleThreadScheduledExecutor();
        // Never started: the table above is complete, so the links never ask meta for anything.
        MetaClient meta = new MetaClient("session-test", List.of(HostAndPort.fromParts("127.0.0.1", 1)),
                WireClasses.serializer(), tables, () -> null, Duration.ofSeconds(1));
        links = new DataServerLinks("s1", client, tables, meta, scheduler, Duration.ofSeconds(3), a -> { });
    }

    @AfterEach
    void stop() {
        links.close();
        client.close();
        leader.close();
        scheduler.shutdownNow();
    }

    /**
     * Regression (CI flake of ReplicationAndFailoverTest's rebuild test, and likely chaos seed
     * 4019): "synced" went out with the epoch of its own sending. A server that became the
     * slot's leader between the digest and that message counted the session as synced although
     * it had never compared its publishers, and served a push without them.
     */
    @Test
    void syncDoneCarriesTheEpochOfTheDigestItConcludes() {
        SessionPublisherStore store = new SessionPublisherStore(SLOTS);
        PublisherSyncer syncer = new PublisherSyncer(store, links, SLOTS, scheduler, Duration.ofSeconds(5),
                Duration.ofSeconds(2));
        SlotReconciler reconciler = new SlotReconciler("s1", store, syncer, links, SLOTS, Duration.ofSeconds(5));

        reconciler.syncSlot(0);

        await().atMost(Duration.ofSeconds(10)).until(() -> !syncDoneEpochs.isEmpty());
        assertThat(digestEpochs).containsExactly(1L);
        assertThat(tables.epoch()).isEqualTo(2L);
        assertThat(syncDoneEpochs).as("the epoch the leader compared at, not the table's when done was sent")
                .containsExactly(1L);
    }

    /**
     * Regression (simulator seeds 172, 301172): a digest listed when its run began and retried
     * for seconds reached the slot's new (or restarted, empty) leader with a list that lacked
     * what the session registered meanwhile, and its "synced" opened that leader's read gate
     * without those publishers. The list is now taken as each attempt goes out.
     */
    @Test
    void aRetriedDigestListsThePublishersHeldWhenItGoesOut() {
        refuseFirstDigest = true;
        store.put(publisher("r1"));
        PublisherSyncer syncer = new PublisherSyncer(store, links, SLOTS, scheduler, Duration.ofSeconds(5),
                Duration.ofSeconds(2));
        SlotReconciler reconciler = new SlotReconciler("s1", store, syncer, links, SLOTS, Duration.ofSeconds(5));

        reconciler.syncSlot(SlotHash.slotOf(ID, SLOTS));

        await().atMost(Duration.ofSeconds(10)).until(() -> !syncDoneEpochs.isEmpty());
        assertThat(digestEpochs).as("refused at 1, answered at 2").containsExactly(1L, 2L);
        assertThat(digestListings).containsExactly(List.of("r1"), List.of("r1", "r2"));
        assertThat(syncDoneEpochs).as("speaks for the listing the leader compared").containsExactly(2L);
    }

    /**
     * A graceful stop waits for the slot runs in flight (chaos seed 2, CI): a session drained
     * right after a data server died with lagging replicas closed while its digest to the new
     * leader was under way, and the stale copy of a publisher its client had unregistered (the
     * dead leader's acknowledged removal, never replicated) stayed until the session lease.
     */
    @Test
    void awaitQuietWaitsForTheSlotRunsInFlight() {
        holdDigests = new java.util.concurrent.CountDownLatch(1);
        store.put(publisher("r1"));
        PublisherSyncer syncer = new PublisherSyncer(store, links, SLOTS, scheduler, Duration.ofSeconds(5),
                Duration.ofSeconds(2));
        SlotReconciler reconciler = new SlotReconciler("s1", store, syncer, links, SLOTS, Duration.ofSeconds(5));
        assertThat(reconciler.awaitQuiet(Duration.ZERO)).as("nothing in flight").isTrue();

        reconciler.syncSlot(SlotHash.slotOf(ID, SLOTS));
        await().atMost(Duration.ofSeconds(10)).until(() -> !digestEpochs.isEmpty());
        assertThat(reconciler.awaitQuiet(Duration.ofMillis(100))).as("the digest is held by the leader").isFalse();

        holdDigests.countDown();
        assertThat(reconciler.awaitQuiet(Duration.ofSeconds(10))).isTrue();
        assertThat(syncDoneEpochs).as("the run finished before awaitQuiet returned").hasSize(1);
    }

    private static final DataInfoId ID = DataInfoId.of("com.example.EchoService", "RPC", "tenant-a");

    private static Publisher publisher(String registerId) {
        return new Publisher(ID, registerId, 1, List.of("10.0.0.1:12200"), "app", "10.0.0.1", "zone-a",
                1_700_000_000_000L, "s1", "c1");
    }
}
