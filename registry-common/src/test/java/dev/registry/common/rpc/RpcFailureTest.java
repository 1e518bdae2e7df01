package dev.registry.common.rpc;

import dev.registry.common.rpc.TestMessages.Echo;
import dev.registry.common.rpc.TestMessages.EchoReply;
import dev.registry.common.rpc.TestMessages.Note;
import dev.registry.common.rpc.TestMessages.Stall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.registry.common.rpc.RpcTestKit.failure;
import static dev.registry.common.rpc.RpcTestKit.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RpcFailureTest {
    private final RpcTestKit kit = new RpcTestKit();

    @AfterEach
    void tearDown() {
        kit.close();
    }

    @Test
    void aPortInUseIsAClearErrorNamingTheAddress() {
        RpcServer first = kit.startServer();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> kit.startServer(kit.serverConfig(), first.port()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + first.port());
    }

    @Test
    void unansweredCallTimesOutAndLeavesNothingPending() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);
        long started = System.nanoTime();

        RpcException e = failure(connection.call(new Stall(1), Duration.ofMillis(200)));

        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(e.getMessage()).contains("Stall").contains("200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        await().atMost(Duration.ofSeconds(2)).until(() -> connection.pendingCalls() == 0);
        assertThat(connection.isActive()).isTrue();
    }

    @Test
    void manyTimeoutsLeakNoPendingCallsAndTheConnectionStaysUsable() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(connection.call(new Stall(i), Duration.ofMillis(500)));
        }
        assertThat(connection.pendingCalls()).isPositive();

        for (CompletableFuture<Object> call : calls) {
            assertThat(failure(call).code()).isEqualTo(ErrorCode.TIMEOUT);
        }

        assertThat(connection.pendingCalls()).isZero();
        assertThat(result(connection.call(new Echo(1, "alive"), EchoReply.class)).text()).isEqualTo("alive");
    }

    @Test
    void lateResponseAfterTimeoutIsDropped() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);

        RpcException e = failure(connection.call(new Echo(1, "slow", 400), Duration.ofMillis(100)));
        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);

        // The answer still arrives ~300 ms later; it must neither resurrect the call nor confuse the next one.
        EchoReply next = result(connection.call(new Echo(2, "next", 600), EchoReply.class, Duration.ofSeconds(5)));
        assertThat(next.seq()).isEqualTo(2);
        assertThat(connection.pendingCalls()).isZero();
    }

    @Test
    void callOnClosedConnectionFailsWithConnectionClosed() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);
        connection.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isActive());

        RpcException call = failure(connection.call(new Echo(1, "too late")));
        RpcException send = failure(connection.send(new Note("too late")));

        assertThat(call.code()).isEqualTo(ErrorCode.CONNECTION_CLOSED);
        assertThat(send.code()).isEqualTo(ErrorCode.CONNECTION_CLOSED);
        assertThat(connection.pendingCalls()).isZero();
    }

    @Test
    void pendingCallsFailWithConnectionClosedWhenTheServerCloses() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(connection.call(new Stall(i), Duration.ofSeconds(30)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().openConnections() == 1);
        long started = System.nanoTime();

        server.close();

        for (CompletableFuture<Object> call : calls) {
            assertThat(failure(call).code()).isEqualTo(ErrorCode.CONNECTION_CLOSED);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(connection.pendingCalls()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isActive());
    }

    @Test
    void pendingCallsFailWhenTheServerDropsJustThatConnection() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);
        CompletableFuture<Object> call = connection.call(new Stall(1), Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().size() == 1);

        server.connections().forEach(RpcConnection::close);

        assertThat(failure(call).code()).isEqualTo(ErrorCode.CONNECTION_CLOSED);
        assertThat(connection.pendingCalls()).isZero();
        kit.assertServes(server);
    }

    @Test
    void connectToNothingFailsWithConnectionClosed() throws Exception {
        int freePort;
        try (ServerSocket probe = new ServerSocket(0)) {
            freePort = probe.getLocalPort();
        }
        RpcClient client = kit.client();

        RpcException e = failure(client.connect(RpcTestKit.HOST, freePort));

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_CLOSED);
        assertThat(e.getMessage()).contains(String.valueOf(freePort));
    }
}
