package dev.registry.session.publish;

import com.google.common.net.HostAndPort;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.RemovePublisherRequest;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.protocol.WritePublisherRequest;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.link.DataServerLinks;
import dev.registry.session.store.PublisherKey;
import dev.registry.session.store.SessionPublisherStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 21: a sync that fails unexpectedly (here: the leader answers a write with nothing, which
 * the syncer cannot complete) is reported to its waiters and never leaves its key "running",
 * so the key's next sync runs. Against a fake leader on a real socket.
 */
class PublisherSyncerFailuresTest {
    private static final int SLOTS = 4;

    private final SlotTableHolder tables = new SlotTableHolder(SLOTS);
    private final SessionPublisherStore store = new SessionPublisherStore(SLOTS);
    private final DataInfoId id = DataInfoId.of("com.example.EchoService", "RPC", "tenant-a");
    private final PublisherKey key = new PublisherKey(id, "r1");
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger removals = new AtomicInteger();
    private final List<String> removedConnections = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The leader's answer to the n-th write (1-based) or removal. */
    private volatile IntFunction<Object> writeAnswer = n -> new WriteResult(n, true);
    private volatile IntFunction<Object> removeAnswer = n -> new WriteResult(n, true);
    private RpcServer leader;
    private RpcClient client;
    private ScheduledExecutorService scheduler;
    private DataServerLinks links;
    private PublisherSyncer syncer;

    @BeforeEach
    void start() {
        HandlerRegistry handlers = new HandlerRegistry()
                .register(SessionHello.class, (c, hello) -> new WriteResult(0, false))
                .register(WritePublisherRequest.class, (c, w) -> writeAnswer.apply(writes.incrementAndGet()))
                .register(RemovePublisherRequest.class, (c, r) -> {
                    removedConnections.add(r.connectionId());
                    return removeAnswer.apply(removals.incrementAndGet());
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
        syncer = new PublisherSyncer(store, links, SLOTS, scheduler, Duration.ofSeconds(5), Duration.ofMillis(200));
    }

    @AfterEach
    void stop() {
        syncer.stop();
        links.close();
        client.close();
        leader.close();
        scheduler.shutdownNow();
    }

    private Publisher publisher(long version) {
        return new Publisher(id, "r1", version, List.of("10.0.0.1:12200"), "app", "10.0.0.1", "zone-a",
                1_700_000_000_000L, "session-1", "c1");
    }

    /**
     * Regression: the sync's completion threw (NullPointerException on the empty answer) inside
     * a callback that swallowed it; a sync merged into the run was never run, the key stayed
     * "running" for good, and every later sync of it waited forever.
     */
    @Test
    void aKeyWhoseSyncFailedUnexpectedlyIsSyncedByItsNextSync() throws Exception {
        CompletableFuture<Object> firstAnswer = new CompletableFuture<>();
        writeAnswer = n -> n == 1 ? firstAnswer : new WriteResult(n, true);
        store.put(publisher(1));
        CompletableFuture<Long> first = syncer.sync(key);
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.get() == 1);
        store.put(publisher(2));
        CompletableFuture<Long> merged = syncer.sync(key); // arrives during the first: merged into one more run

        firstAnswer.complete(null); // the answer the syncer cannot complete its waiters with

        assertThat(failureOf(first).code()).isEqualTo(ErrorCode.SERVER_ERROR);
        assertThat(failureOf(merged).code()).isEqualTo(ErrorCode.SERVER_ERROR);
        assertThat(syncer.unexpectedFailures()).isEqualTo(1);
        assertThat(syncer.pendingKeys()).as("not left running").isZero();

        assertThat(syncer.sync(key).get(10, TimeUnit.SECONDS)).as("the next sync runs").isEqualTo(2L);
        assertThat(writes).hasValue(2);
        assertThat(syncer.pendingKeys()).isZero();
    }

    /** A removal that failed unexpectedly is kept: the key's next sync sends it again. */
    @Test
    void aRemovalWhoseSyncFailedUnexpectedlyIsSentByTheNextSync() throws Exception {
        store.put(publisher(1));
        assertThat(syncer.sync(key).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        removeAnswer = n -> n == 1 ? null : new WriteResult(7, true);
        Publisher removed = store.remove(key, "c1");

        assertThat(failureOf(syncer.syncRemoval(removed)).code()).isEqualTo(ErrorCode.SERVER_ERROR);
        assertThat(syncer.unexpectedFailures()).isEqualTo(1);
        assertThat(syncer.pendingKeys()).as("kept for its removal, not running").isEqualTo(1);

        assertThat(syncer.sync(key).get(10, TimeUnit.SECONDS)).isEqualTo(7L);
        assertThat(removals).hasValue(2);
        assertThat(syncer.pendingKeys()).isZero();
    }

    /**
     * Regression (simulator seed 38): a removal queued while another removal of the key was in
     * flight (the reconciler removing a stale copy from a new slot leader while the client's
     * unregister still went to the old one) was cleared when the first one finished, so the
     * new leader kept the stale copy and the reconciler reported the slot synced.
     */
    @Test
    void aRemovalQueuedDuringAnotherRemovalIsSentAfterIt() throws Exception {
        store.put(publisher(1));
        assertThat(syncer.sync(key).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        CompletableFuture<Object> firstAnswer = new CompletableFuture<>();
        removeAnswer = n -> n == 1 ? firstAnswer : new WriteResult(9, true);
        Publisher removed = store.remove(key, "c1");
        CompletableFuture<Long> unregister = syncer.syncRemoval(removed);
        await().atMost(Duration.ofSeconds(10)).until(() -> removals.get() == 1);
        Publisher stale = new Publisher(id, "r1", 0, List.of(), null, null, null, 0, "session-1", "c0");
        CompletableFuture<Long> staleRemoval = syncer.syncRemoval(stale);

        firstAnswer.complete(new WriteResult(8, true));

        assertThat(unregister.get(10, TimeUnit.SECONDS)).isEqualTo(8L);
        assertThat(staleRemoval.get(10, TimeUnit.SECONDS)).as("sent, not merged away").isEqualTo(9L);
        assertThat(removedConnections).containsExactly("c1", "c0");
        assertThat(syncer.pendingKeys()).isZero();
    }

    private static RpcException failureOf(CompletableFuture<Long> future) {
        try {
            Long value = future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            RpcException rpc = RpcException.unwrap(e);
            assertThat(rpc).as("failed with an RpcException: %s", e.getCause()).isNotNull();
            return rpc;
        } catch (Exception e) {
            throw new AssertionError("no answer: " + e, e);
        }
    }
}
