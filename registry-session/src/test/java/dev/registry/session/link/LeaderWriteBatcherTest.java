package dev.registry.session.link;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.LeaderWritesRequest;
import dev.registry.common.protocol.LeaderWritesResponse;
import dev.registry.common.protocol.RemovePublisherRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.protocol.WritePublisherRequest;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.rpc.RpcServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Writes queued while the connection's I/O thread is busy go out as one batch, each completing
 * with its own outcome; a peer that does not take batches gets each write alone. Against a
 * leader stand-in on a real socket (slot 13 is "not led" there).
 */
class LeaderWriteBatcherTest {
    private static final DataInfoId ID = DataInfoId.of("com.example.Orders");
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final AtomicInteger singles = new AtomicInteger();
    private RpcServer leader;
    private RpcClient client;

    private static Object answer(Object write) {
        int slot = write instanceof WritePublisherRequest w ? w.slotId() : ((RemovePublisherRequest) write).slotId();
        if (slot == 13) {
            throw new RpcException(ErrorCode.NOT_LEADER, "slot 13 is led elsewhere", 42);
        }
        return new WriteResult(slot, write instanceof WritePublisherRequest);
    }

    private RpcConnection connect(boolean takesBatches) throws Exception {
        HandlerRegistry handlers = new HandlerRegistry()
                .register(WritePublisherRequest.class, (c, w) -> {
                    singles.incrementAndGet();
                    return answer(w);
                })
                .register(RemovePublisherRequest.class, (c, r) -> {
                    singles.incrementAndGet();
                    return answer(r);
                });
        if (takesBatches) {
            handlers.register(LeaderWritesRequest.class, (c, batch) -> {
                batchSizes.add(batch.validate().writes().size());
                List<Object> outcomes = new ArrayList<>();
                for (Object w : batch.writes()) {
                    try {
                        outcomes.add(answer(w));
                    } catch (RpcException e) {
                        outcomes.add(e.toError());
                    }
                }
                return new LeaderWritesResponse(outcomes);
            });
        }
        leader = new RpcServer("leader-stand-in", RpcConfig.serverDefaults().withWorkerThreads(1), WireClasses.serializer(),
                handlers, new ConnectionListener() { });
        int port = leader.start("127.0.0.1", 0).getPort();
        client = new RpcClient("session-test", RpcConfig.clientDefaults(), WireClasses.serializer(), new HandlerRegistry(),
                new ConnectionListener() { });
        return client.connect("127.0.0.1", port).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (leader != null) {
            leader.close();
        }
    }

    private static Publisher publisher(int i) {
        return new Publisher(ID, "r" + i, 1, List.of("10.0.0.1:" + i), "app", "10.0.0.1", "zone-a", 1L, "s1", "c1");
    }

    /** Holds the connection's I/O thread until the returned latch is counted down. */
    private static CountDownLatch holdIoThread(RpcConnection conn) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        conn.ioExecutor().execute(() -> {
            held.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void writesQueuedWhileTheLinkIsBusyGoOutAsOneBatchEachWithItsOwnOutcome() throws Exception {
        RpcConnection conn = connect(true);
        LeaderWriteBatcher batcher = new LeaderWriteBatcher(conn, Duration.ofSeconds(5));
        CountDownLatch release = holdIoThread(conn);
        List<CompletableFuture<WriteResult>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int slot = i == 7 ? 13 : 100 + i;
            results.add(batcher.submit(i % 5 == 4 ? new RemovePublisherRequest(1, slot, ID, "r" + i, "c1")
                    : new WritePublisherRequest(1, slot, publisher(i))));
        }
        release.countDown();

        for (int i = 0; i < 50; i++) {
            if (i == 7) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        results.get(i)::get);
                RpcException refused = RpcException.unwrap(e);
                assertThat(refused.code()).isEqualTo(ErrorCode.NOT_LEADER);
                assertThat(refused.epoch()).isEqualTo(42);
            } else {
                WriteResult r = results.get(i).get(10, TimeUnit.SECONDS);
                assertThat(r.datumVersion()).as("write %d's own outcome", i).isEqualTo(100 + i);
                assertThat(r.changed()).isEqualTo(i % 5 != 4);
            }
        }
        assertThat(batchSizes).containsExactly(50);
        assertThat(singles).hasValue(0);

        // A lone write goes out alone.
        assertThat(batcher.submit(new WritePublisherRequest(1, 3, publisher(3))).get(10, TimeUnit.SECONDS).datumVersion())
                .isEqualTo(3);
        assertThat(singles).hasValue(1);
    }

    @Test
    void aLeaderThatDoesNotTakeBatchesGetsEachWriteAloneFromThenOn() throws Exception {
        RpcConnection conn = connect(false);
        LeaderWriteBatcher batcher = new LeaderWriteBatcher(conn, Duration.ofSeconds(5));
        CountDownLatch release = holdIoThread(conn);
        List<CompletableFuture<WriteResult>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(batcher.submit(new WritePublisherRequest(1, i, publisher(i))));
        }
        release.countDown();
        for (int i = 0; i < 10; i++) {
            assertThat(results.get(i).get(10, TimeUnit.SECONDS).datumVersion()).isEqualTo(i);
        }
        assertThat(singles).hasValue(10);

        CountDownLatch again = holdIoThread(conn);
        CompletableFuture<WriteResult> a = batcher.submit(new WritePublisherRequest(1, 20, publisher(20)));
        CompletableFuture<WriteResult> b = batcher.submit(new WritePublisherRequest(1, 21, publisher(21)));
        again.countDown();
        assertThat(a.get(10, TimeUnit.SECONDS).datumVersion()).isEqualTo(20);
        assertThat(b.get(10, TimeUnit.SECONDS).datumVersion()).isEqualTo(21);
        assertThat(singles).as("no batch tried again").hasValue(12);
        assertThat(batchSizes).isEmpty();
    }

    @Test
    void aClosedConnectionFailsTheQueuedWritesAsClosed() throws Exception {
        RpcConnection conn = connect(true);
        LeaderWriteBatcher batcher = new LeaderWriteBatcher(conn, Duration.ofSeconds(5));
        conn.close();
        conn.closeFuture().get(10, TimeUnit.SECONDS);
        CompletableFuture<WriteResult> r = batcher.submit(new WritePublisherRequest(1, 1, publisher(1)));
        assertThatThrownBy(() -> r.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(RpcException.unwrap(e).code()).isEqualTo(ErrorCode.CONNECTION_CLOSED));
    }
}
