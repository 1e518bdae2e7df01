package dev.registry.common.rpc;

import dev.registry.common.rpc.TestMessages.Echo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.registry.common.rpc.RpcTestKit.failure;
import static dev.registry.common.rpc.RpcTestKit.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a node learns when a peer goes: a ping that fails, and the pool's unreachable callback. */
class PeerLossTest {
    private final RpcTestKit kit = new RpcTestKit();

    @AfterEach
    void tearDown() {
        kit.close();
    }

    @Test
    void aPingIsAnsweredByALiveServerAndFailsOnceItIsGone() {
        RpcServer server = kit.startServer();
        RpcConnection connection = kit.connect(kit.client(), server);
        result(connection.ping(Duration.ofSeconds(2)));
        assertThat(connection.pendingCalls()).isZero();
        // Pings and calls share the request ids without mixing their answers up.
        assertThat(result(connection.call(new Echo(3, "x"), TestMessages.EchoReply.class)).seq()).isEqualTo(3);

        server.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isActive());
        assertThat(failure(connection.ping(Duration.ofSeconds(2))).code()).isEqualTo(ErrorCode.CONNECTION_CLOSED);
    }

    @Test
    void thePoolReportsAPeerWhoseConnectionDropsOrIsRefused() throws Exception {
        List<String> unreachable = new CopyOnWriteArrayList<>();
        ConnectionPool pool = kit.closeLater(new ConnectionPool(kit.client(), c -> CompletableFuture.completedFuture(null),
                a -> { }, unreachable::add));
        RpcServer server = kit.startServer();
        String address = RpcTestKit.HOST + ":" + server.port();
        result(pool.get(address));

        server.close(); // the peer's process goes: its connections close
        await().atMost(Duration.ofSeconds(5)).until(() -> unreachable.equals(List.of(address)));

        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        String nobody = RpcTestKit.HOST + ":" + freePort;
        failure(pool.get(nobody));
        await().atMost(Duration.ofSeconds(5)).until(() -> unreachable.contains(nobody));
    }

    @Test
    void connectionsThePoolClosesItselfAreNotReported() {
        List<String> unreachable = new CopyOnWriteArrayList<>();
        ConnectionPool pool = new ConnectionPool(kit.client(), c -> CompletableFuture.completedFuture(null),
                a -> { }, unreachable::add);
        RpcServer a = kit.startServer();
        RpcServer b = kit.startServer();
        String addressA = RpcTestKit.HOST + ":" + a.port();
        String addressB = RpcTestKit.HOST + ":" + b.port();
        RpcConnection toA = result(pool.get(addressA));
        RpcConnection toB = result(pool.get(addressB));

        pool.retainOnly(Set.of(addressB)); // A left the slot table
        await().atMost(Duration.ofSeconds(5)).until(() -> !toA.isActive());
        pool.close(); // this node stops
        await().atMost(Duration.ofSeconds(5)).until(() -> !toB.isActive());
        assertThat(unreachable).isEmpty();
    }
}
