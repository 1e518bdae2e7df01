package dev.registry.common.rpc;

import com.google.common.net.HostAndPort;
import dev.registry.common.rpc.TestMessages.Echo;
import dev.registry.common.rpc.TestMessages.EchoReply;
import dev.registry.common.rpc.TestMessages.Note;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.registry.common.rpc.RpcTestKit.failure;
import static dev.registry.common.rpc.RpcTestKit.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ReconnectingConnectionTest {
    private final RpcTestKit kit = new RpcTestKit();
    /** Ports of the servers that onConnected talked to, in order. */
    private final List<Integer> registeredWith = new CopyOnWriteArrayList<>();
    private final AtomicInteger onConnectedRuns = new AtomicInteger();

    @AfterEach
    void tearDown() {
        kit.close();
    }

    /** Like a role's re-registration: one call on the fresh connection before it counts as ready. */
    private CompletableFuture<?> register(RpcConnection connection) {
        onConnectedRuns.incrementAndGet();
        return connection.call(new Echo(onConnectedRuns.get(), "register"), EchoReply.class)
                .thenRun(() -> registeredWith.add(connection.remoteAddress().getPort()));
    }

    private ReconnectingConnection reconnecting(RpcClient client, List<HostAndPort> addresses) {
        Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), new Random(5));
        return kit.closeLater(new ReconnectingConnection(client, addresses, backoff, 0, this::register));
    }

    private static HostAndPort at(int port) {
        return HostAndPort.fromParts(RpcTestKit.HOST, port);
    }

    @Test
    void connectsAndRunsOnConnectedBeforeReady() {
        RpcServer server = kit.startServer();
        ReconnectingConnection connection = reconnecting(kit.client(), List.of(at(server.port())));

        RpcConnection ready = result(connection.start());

        assertThat(onConnectedRuns).hasValue(1);
        assertThat(registeredWith).containsExactly(server.port());
        assertThat(connection.isReady()).isTrue();
        assertThat(connection.current()).contains(ready);
        EchoReply reply = (EchoReply) result(connection.call(new Echo(9, "via reconnecting"), Duration.ofSeconds(5)));
        assertThat(reply.seq()).isEqualTo(9);
    }

    @Test
    void reconnectsToARestartedServerAndRunsOnConnectedAgain() {
        RpcServer first = kit.startServer();
        int port = first.port();
        ReconnectingConnection connection = reconnecting(kit.client(), List.of(at(port)));
        RpcConnection original = result(connection.start());

        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isReady());
        RpcException whileDown = failure(connection.call(new Echo(1, "anyone?"), Duration.ofSeconds(1)));
        assertThat(whileDown.code()).isEqualTo(ErrorCode.CONNECTION_CLOSED);
        RpcServer second = kit.startServer(RpcTestKit.serverConfig(), port);

        await().atMost(Duration.ofSeconds(10)).until(connection::isReady);
        assertThat(onConnectedRuns).hasValue(2);
        assertThat(registeredWith).containsExactly(port, port);
        assertThat(connection.current()).hasValueSatisfying(c -> assertThat(c).isNotSameAs(original));
        await().atMost(Duration.ofSeconds(5)).until(() -> second.connections().size() == 1);
        EchoReply reply = (EchoReply) result(connection.call(new Echo(2, "back"), Duration.ofSeconds(5)));
        assertThat(reply.text()).isEqualTo("back");
    }

    @Test
    void skipsAnAddressThatIsDown() throws IOException {
        int deadPort = freePort();
        RpcServer live = kit.startServer();
        ReconnectingConnection connection = reconnecting(kit.client(), List.of(at(deadPort), at(live.port())));

        RpcConnection ready = result(connection.start());

        assertThat(ready.remoteAddress().getPort()).isEqualTo(live.port());
        assertThat(onConnectedRuns).hasValue(1);
        assertThat(registeredWith).containsExactly(live.port());
    }

    @Test
    void movesToTheNextAddressWhenItsServerDies() {
        RpcServer a = kit.startServer();
        RpcServer b = kit.startServer();
        ReconnectingConnection connection = reconnecting(kit.client(), List.of(at(a.port()), at(b.port())));
        assertThat(result(connection.start()).remoteAddress().getPort()).isEqualTo(a.port());

        a.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> registeredWith.size() == 2);
        assertThat(registeredWith).containsExactly(a.port(), b.port());
        await().atMost(Duration.ofSeconds(5)).until(connection::isReady);
        assertThat(connection.current()).hasValueSatisfying(c -> assertThat(c.remoteAddress().getPort()).isEqualTo(b.port()));
    }

    @Test
    void failedOnConnectedIsRetriedOnAFreshConnection() {
        RpcServer server = kit.startServer();
        AtomicInteger attempts = new AtomicInteger();
        Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), new Random(6));
        ReconnectingConnection connection = kit.closeLater(new ReconnectingConnection(kit.client(),
                List.of(at(server.port())), backoff, 0, c -> attempts.incrementAndGet() < 3
                        ? CompletableFuture.failedFuture(new IllegalStateException("not yet"))
                        : c.send(new Note("registered"))));

        result(connection.start());

        assertThat(attempts).hasValue(3);
        assertThat(connection.isReady()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> kit.notes.contains("registered"));
    }

    /** Regression, chaos seeds 4003 and 4008: a withdrawal during re-registration must go out on the new connection. */
    @Test
    void whileReRegisteringTheConnectionIsLatestActiveButNotCurrent() {
        RpcServer server = kit.startServer();
        Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), new Random(7));
        CompletableFuture<Object> registering = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<ReconnectingConnection> self = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        ReconnectingConnection connection = kit.closeLater(new ReconnectingConnection(kit.client(),
                List.of(at(server.port())), backoff, 0, c -> {
                    ReconnectingConnection rc = self.get();
                    seen.set("current=" + rc.current().isPresent() + " latestActive=" + rc.latestActive().map(x -> x == c)
                            .orElse(false));
                    return registering;
                }));
        self.set(connection);
        CompletableFuture<RpcConnection> ready = connection.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() != null);
        assertThat(seen.get()).isEqualTo("current=false latestActive=true");
        assertThat(connection.isReady()).isFalse();
        registering.complete(null);
        assertThat(connection.latestActive()).contains(result(ready));
    }

    @Test
    void closeStopsReconnecting() {
        RpcServer server = kit.startServer();
        int port = server.port();
        ReconnectingConnection connection = reconnecting(kit.client(), List.of(at(port)));
        result(connection.start());

        connection.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().isEmpty());
        assertThat(connection.isReady()).isFalse();
        assertThat(failure(connection.call(new Echo(1, "x"), Duration.ofSeconds(1))).code())
                .isEqualTo(ErrorCode.CONNECTION_CLOSED);
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> server.connections().isEmpty());
        assertThat(onConnectedRuns).hasValue(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }
}
