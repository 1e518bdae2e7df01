package dev.registry.common.rpc;

import dev.registry.common.rpc.RawFrames.RawFrame;
import dev.registry.common.rpc.TestMessages.Echo;
import dev.registry.common.rpc.TestMessages.EchoReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static dev.registry.common.rpc.RawFrames.HEARTBEAT;
import static dev.registry.common.rpc.RawFrames.HEARTBEAT_ACK;
import static dev.registry.common.rpc.RpcTestKit.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IdleTimeoutTest {
    private static final Duration SERVER_IDLE = Duration.ofMillis(600);

    private final RpcTestKit kit = new RpcTestKit();

    @AfterEach
    void tearDown() {
        kit.close();
    }

    private RpcServer startServerWithShortIdle() {
        return kit.startServer(RpcTestKit.serverConfig().withHeartbeat(Duration.ZERO, SERVER_IDLE), 0);
    }

    @Test
    void silentClientIsClosedAfterTheIdleTimeout() {
        RpcServer server = startServerWithShortIdle();
        RpcClient client = kit.client(RpcTestKit.clientConfig().withHeartbeat(Duration.ZERO, Duration.ofSeconds(30)),
                RpcTestKit.ALLOWED);
        long connected = System.nanoTime();
        RpcConnection connection = kit.connect(client, server);

        result(connection.closeFuture());

        assertThat(Duration.ofNanos(System.nanoTime() - connected)).isGreaterThanOrEqualTo(SERVER_IDLE.minusMillis(50));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().idleClosedTotal() == 1);
        assertThat(server.connections()).isEmpty();
    }

    @Test
    void silentRawSocketIsClosedAfterTheIdleTimeout() throws Exception {
        RpcServer server = startServerWithShortIdle();
        RawFrames raw = kit.raw(server);

        assertThat(raw.closedByPeer()).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().idleClosedTotal() == 1);
    }

    @Test
    void heartbeatIsAcknowledged() throws Exception {
        RpcServer server = kit.startServer();
        RawFrames raw = kit.raw(server);

        raw.writeFrame(HEARTBEAT, 0, 77, new byte[0]);

        RawFrame ack = raw.readFrame();
        assertThat(ack.type()).isEqualTo(HEARTBEAT_ACK);
        assertThat(ack.requestId()).isEqualTo(77);
        assertThat(ack.body()).isEmpty();
    }

    @Test
    void clientSendingHeartbeatsOutlivesSeveralIdleTimeouts() {
        RpcServer server = startServerWithShortIdle();
        RpcClient client = kit.client(RpcTestKit.clientConfig().withHeartbeat(Duration.ofMillis(150), Duration.ofSeconds(2)),
                RpcTestKit.ALLOWED);
        RpcConnection connection = kit.connect(client, server);

        await().during(SERVER_IDLE.multipliedBy(3).plusMillis(200))
                .atMost(SERVER_IDLE.multipliedBy(3).plusSeconds(2))
                .until(connection::isActive);

        assertThat(server.metrics().idleClosedTotal()).isZero();
        assertThat(result(connection.call(new Echo(1, "awake"), EchoReply.class)).text()).isEqualTo("awake");
    }

    @Test
    void clientClosesAServerThatStopsAnswering() throws Exception {
        // A "server" that accepts but never speaks: the client's own idle timeout must fire.
        try (ServerSocket mute = new ServerSocket(0, 1, InetAddress.getByName(RpcTestKit.HOST))) {
            RpcClient client = kit.client(RpcTestKit.clientConfig().withHeartbeat(Duration.ofMillis(100), Duration.ofMillis(400)),
                    RpcTestKit.ALLOWED);
            RpcConnection connection = result(client.connect(RpcTestKit.HOST, mute.getLocalPort()));
            try (Socket accepted = mute.accept()) {
                result(connection.closeFuture());

                assertThat(connection.isActive()).isFalse();
                assertThat(client.metrics().idleClosedTotal()).isEqualTo(1);
            }
        }
    }
}
