package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.client.RegistryException;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.session.SessionServer;
import dev.registry.session.limits.ClientLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Per-connection limits of a session (issue 17): each breach is refused with a clear error, the
 * offending client's earlier registrations and every other client stay served.
 */
class ClientLimitsTest {
    private static final DataInfoId ID = DataInfoId.of("svc.limited");

    private TestCluster cluster;
    private RpcClient raw;

    @AfterEach
    void tearDown() {
        if (raw != null) {
            raw.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private SessionServer limitedSession(ClientLimits.Settings limits) {
        cluster = new TestCluster(1, 0);
        SessionServer s = cluster.addSession(c -> c.withClientLimits(limits));
        cluster.awaitStable();
        return s;
    }

    @Test
    void registrationCapsPerConnectionRefuseTheOneTooMany() {
        SessionServer session = limitedSession(new ClientLimits.Settings(0, 0, 3, 2, 0, 1));
        RegistryClient greedy = cluster.client(session);
        for (int i = 0; i < 3; i++) {
            greedy.publish(ID, List.of("10.0.0." + i + ":1"));
        }
        assertThatThrownBy(() -> greedy.publish(ID, List.of("10.0.0.9:1"))).isInstanceOf(RegistryException.class)
                .hasMessageContaining("at most 3 publishers per connection");
        RecordingObserver sees = new RecordingObserver();
        greedy.subscribe(ID, sees);
        greedy.subscribe(DataInfoId.of("svc.other"), new RecordingObserver());
        assertThatThrownBy(() -> greedy.subscribe(DataInfoId.of("svc.third"), new RecordingObserver()))
                .isInstanceOf(RegistryException.class).hasMessageContaining("at most 2 subscribers per connection");
        // What it holds stays served; another connection is not affected.
        await().atMost(Duration.ofSeconds(10)).until(() -> sees.lastValues() != null && sees.lastValues().size() == 3);
        cluster.client(session).publish(ID, List.of("10.0.1.1:1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sees.lastValues().size() == 4);
        assertThat(session.publishers().publishersOf(ID)).hasSize(4);
    }

    @Test
    void aConnectionAboveItsRateIsToldToRetryOthersAreNot() throws Exception {
        SessionServer session = limitedSession(new ClientLimits.Settings(0, 0, 0, 0, 10, 20));
        raw = new RpcClient("flooder", RpcConfig.clientDefaults(), WireClasses.serializer(), new HandlerRegistry(),
                new ConnectionListener() { });
        RpcConnection flooder = raw.connect("127.0.0.1", session.port()).get();
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(flooder.call(new RegisterPublisherRequest(new Publisher(ID, "flood-" + i, 1,
                    List.of("10.9.0." + i + ":1"), "flooder", null, "", 0, null, null)), Duration.ofSeconds(10)));
        }
        int ok = 0;
        int limited = 0;
        for (CompletableFuture<Object> call : calls) {
            try {
                call.get();
                ok++;
            } catch (ExecutionException e) {
                RpcException r = (RpcException) e.getCause();
                assertThat(r.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(r.getMessage()).contains("rate limit");
                limited++;
            }
        }
        assertThat(ok).as("the burst and what refilled meanwhile").isBetween(20, 60);
        assertThat(limited).isEqualTo(200 - ok);
        // A well-behaved client on another connection is served.
        cluster.client(session).publish(ID, List.of("10.0.2.1:1"));
        assertThat(session.publishers().publishersOf(ID)).hasSize(ok + 1);
    }

    @Test
    void aFullSessionClosesNewConnectionsAndTheClientMovesOn() throws Exception {
        cluster = new TestCluster(1, 0);
        SessionServer full = cluster.addSession(c -> c.withClientLimits(new ClientLimits.Settings(1, 0, 0, 0, 0, 1)));
        SessionServer spare = cluster.addSession();
        cluster.awaitStable();
        RegistryClient first = cluster.client(full);
        // Retried: right after start a slot leader may still be taking its slots over (NOT_LEADER for up
        // to its 10 s read gate), which is not what this test is about.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            first.publish(ID, List.of("10.0.3.1:1"));
            return true;
        });
        try (java.net.Socket extra = new java.net.Socket("127.0.0.1", full.port())) {
            extra.setSoTimeout(5_000);
            assertThat(extra.getInputStream().read()).as("closed at once").isEqualTo(-1);
        }
        assertThat(full.metricsText()).containsPattern("registry_rpc_refused_connections_total\\{[^}]*} [1-9]");
        RegistryClient second = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:" + full.port()
                + ",127.0.0.1:" + spare.port()).appName("second").requestTimeout(Duration.ofSeconds(10))
                .heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build());
        try {
            second.publish(ID, List.of("10.0.3.2:1"));
            assertThat(second.sessionAddress()).map(a -> a.getPort()).contains(spare.port());
            assertThat(cluster.leaderDatum(ID).values()).containsExactlyInAnyOrder("10.0.3.1:1", "10.0.3.2:1");
        } finally {
            second.close();
        }
    }
}
