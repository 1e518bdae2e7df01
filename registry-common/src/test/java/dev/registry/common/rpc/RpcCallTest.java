package dev.registry.common.rpc;

import dev.registry.common.rpc.TestMessages.Echo;
import dev.registry.common.rpc.TestMessages.EchoReply;
import dev.registry.common.rpc.TestMessages.Forbidden;
import dev.registry.common.rpc.TestMessages.Invalid;
import dev.registry.common.rpc.TestMessages.Note;
import dev.registry.common.rpc.TestMessages.NotMine;
import dev.registry.common.rpc.TestMessages.Unhandled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.registry.common.rpc.RpcTestKit.result;
import static dev.registry.common.rpc.RpcTestKit.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RpcCallTest {
    private final RpcTestKit kit = new RpcTestKit();

    @AfterEach
    void tearDown() {
        kit.close();
    }

    @Test
    void requestGetsItsResponse() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);

        EchoReply reply = result(connection.call(new Echo(1, "hello ü"), EchoReply.class));

        assertThat(reply.seq()).isEqualTo(1);
        assertThat(reply.text()).isEqualTo("hello ü");
        assertThat(connection.pendingCalls()).isZero();
        assertThat(connection.remoteAddress().getPort()).isEqualTo(server.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().size() == 1);
    }

    @Test
    void concurrentCallsFromManyThreadsEachGetTheirOwnResponse() throws Exception {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);
        int threads = 4;
        int callsPerThread = 64;
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
        try {
            List<Future<List<CompletableFuture<Void>>>> perThread = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                perThread.add(callers.submit(() -> {
                    start.await();
                    List<CompletableFuture<Void>> calls = new ArrayList<>();
                    for (int i = 0; i < callsPerThread; i++) {
                        long seq = thread * 1_000L + i;
                        String text = "t" + thread + "-call" + i;
                        // Varying delays make responses come back out of request order.
                        Echo echo = new Echo(seq, text, (i * 7L + thread) % 13);
                        calls.add(connection.call(echo, EchoReply.class, Duration.ofSeconds(10)).thenAccept(reply -> {
                            if (reply.seq() != seq || !reply.text().equals(text)) {
                                mismatches.add(text + " got " + reply.seq() + "/" + reply.text());
                            }
                        }));
                    }
                    return calls;
                }));
            }
            start.countDown();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Future<List<CompletableFuture<Void>>> f : perThread) {
                all.addAll(f.get(10, TimeUnit.SECONDS));
            }

            result(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));

            assertThat(all).hasSize(threads * callsPerThread);
            assertThat(mismatches).isEmpty();
            assertThat(kit.echoesHandled).hasValue(threads * callsPerThread);
            assertThat(connection.pendingCalls()).isZero();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void callsOnSeveralConnectionsAreIndependent() {
        RpcServer server = kit.startServer();
        RpcClient client = kit.client();
        List<RpcConnection> connections = List.of(kit.connect(client, server), kit.connect(client, server),
                kit.connect(client, server));
        List<CompletableFuture<EchoReply>> calls = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            calls.add(connections.get(i % 3).call(new Echo(i, "c" + (i % 3)), EchoReply.class));
        }

        for (int i = 0; i < calls.size(); i++) {
            EchoReply reply = result(calls.get(i));
            assertThat(reply.seq()).isEqualTo(i);
            assertThat(reply.text()).isEqualTo("c" + (i % 3));
        }
        assertThat(server.connections()).hasSize(3);
    }

    @Test
    void oneWayMessagesReachTheHandlerInOrder() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);

        for (int i = 0; i < 20; i++) {
            result(connection.send(new Note("note-" + i)));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> kit.notes.size() == 20);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("note-" + i);
        }
        assertThat(kit.notes).containsExactlyElementsOf(expected);
        assertThat(connection.pendingCalls()).isZero();
    }

    @Test
    void serverCanCallBackOverTheClientsConnection() {
        RpcServer server = kit.startServer();
        RpcClient pushTarget = new RpcClient("push-target", RpcTestKit.clientConfig(), kit.serializer,
                new HandlerRegistry().register(Echo.class, (c, echo) -> new EchoReply(echo.seq(), "client saw " + echo.text())),
                new ConnectionListener() {
                });
        kit.closeLater(pushTarget);
        kit.connect(pushTarget, server);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().size() == 1);
        RpcConnection serverSide = server.connections().iterator().next();

        EchoReply reply = result(serverSide.call(new Echo(5, "push"), EchoReply.class));

        assertThat(reply.text()).isEqualTo("client saw push");
    }

    @Test
    void illegalArgumentFromHandlerBecomesBadRequest() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);

        RpcException sync = failure(connection.call(new Invalid("registerId is missing", false)));
        RpcException async = failure(connection.call(new Invalid("zone is unknown", true)));

        assertThat(sync.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(sync.getMessage()).contains("registerId is missing");
        assertThat(async.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(async.getMessage()).contains("zone is unknown");
        assertThat(result(connection.call(new Echo(2, "after"), EchoReply.class)).seq()).isEqualTo(2);
    }

    @Test
    void rpcExceptionFromHandlerTravelsWithCodeAndEpoch() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);

        RpcException e = failure(connection.call(new NotMine(42)));

        assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(e.epoch()).isEqualTo(42);
        assertThat(e.getMessage()).contains("slot moved");
    }

    @Test
    void allowedMessageWithoutHandlerGetsNoHandler() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);

        RpcException e = failure(connection.call(new Unhandled("anyone?")));

        assertThat(e.code()).isEqualTo(ErrorCode.NO_HANDLER);
        assertThat(e.getMessage()).contains(Unhandled.class.getName());
        assertThat(result(connection.call(new Echo(3, "after"), EchoReply.class)).seq()).isEqualTo(3);
    }

    @Test
    void classOutsideServerAllowListGetsClassNotAllowedAndConnectionStays() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(RpcTestKit.clientConfig(), RpcTestKit.PERMISSIVE), server);

        RpcException e = failure(connection.call(new Forbidden("rm -rf /")));

        assertThat(e.code()).isEqualTo(ErrorCode.CLASS_NOT_ALLOWED);
        assertThat(e.getMessage()).contains(Forbidden.class.getName());
        assertThat(connection.isActive()).isTrue();
        assertThat(result(connection.call(new Echo(4, "after"), EchoReply.class)).seq()).isEqualTo(4);
        assertThat(server.metrics().rejectedPayloads()).isEqualTo(1);
    }

    @Test
    void responseOfUnexpectedTypeFailsTheTypedCall() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);

        RpcException e = failure(connection.call(new Echo(1, "x"), Note.class, Duration.ofSeconds(5)));

        assertThat(e.code()).isEqualTo(ErrorCode.BAD_PAYLOAD);
        assertThat(e.getMessage()).contains("EchoReply");
    }

    @Test
    void requestLargerThanTheFrameLimitFailsLocallyWithoutClosing() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);

        RpcException e = failure(connection.call(new Echo(1, "x".repeat(100 * 1024))));

        assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(connection.pendingCalls()).isZero();
        assertThat(connection.isActive()).isTrue();
        assertThat(result(connection.call(new Echo(2, "small"), EchoReply.class)).seq()).isEqualTo(2);
        assertThat(kit.echoesHandled).hasValue(1);
    }

    @Test
    void framesFromManyThreadsAndTheIoThreadKeepEachWritersOrder() throws Exception {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);
        int writers = 4;
        int perWriter = 500;
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(threads.submit(() -> {
                    start.await();
                    for (int n = 0; n < perWriter; n++) {
                        if (writer == 0) {
                            // Written on the I/O thread itself, while the others' frames wait in its outbox.
                            int seq = n;
                            connection.ioExecutor().execute(() -> connection.send(new Note("w0-" + seq)));
                        } else {
                            connection.send(new Note("w" + writer + "-" + n));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            List<String> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                kit.notes.drainTo(received);
                return received.size() >= writers * perWriter;
            });
            assertThat(received).hasSize(writers * perWriter);
            int[] next = new int[writers];
            for (String note : received) {
                int writer = Integer.parseInt(note.substring(1, note.indexOf('-')));
                int seq = Integer.parseInt(note.substring(note.indexOf('-') + 1));
                assertThat(seq).as("writer %d's frames in the order written", writer).isEqualTo(next[writer]);
                next[writer]++;
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
