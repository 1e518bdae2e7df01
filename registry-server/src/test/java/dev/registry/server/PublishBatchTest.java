package dev.registry.server;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.client.RegistryException;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.ClientHello;
import dev.registry.common.protocol.RegisterAck;
import dev.registry.common.protocol.RegisterPublishersRequest;
import dev.registry.common.protocol.RegisterPublishersResponse;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcError;
import dev.registry.common.rpc.RpcException;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Publishes in batches: many registrations per frame, each with its own outcome, on first connect and on reconnect. */
class PublishBatchTest {
    private TestCluster cluster;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() {
        cluster = new TestCluster(2, 2);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        cluster.close();
    }

    @Test
    void manyAsynchronousPublishesTravelInBatchesAndARefusedOneFailsAlone() throws Exception {
        SessionServer session = cluster.sessions.get(0);
        RegistryClient client = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:" + session.port())
                .appName("batch").build());
        toClose.add(client);
        List<CompletableFuture<Publication>> accepted = new ArrayList<>();
        List<CompletableFuture<Publication>> refused = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            DataInfoId id = DataInfoId.of("svc.batch." + (i % 40));
            if (i % 500 == 250) {
                refused.add(client.publishAsync(id, List.of("x".repeat(16 * 1024 + 1))));
            } else {
                accepted.add(client.publishAsync(id, List.of("10.2." + (i / 256) + "." + (i % 256) + ":80")));
            }
        }
        CompletableFuture.allOf(accepted.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        assertThat(accepted).hasSize(1_996).allMatch(f -> f.join().registerId() != null);
        for (CompletableFuture<Publication> f : refused) {
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RegistryException.class)
                    .hasMessageContaining("at most");
        }
        int stored = 0;
        for (int i = 0; i < 40; i++) {
            stored += cluster.leaderDatum(DataInfoId.of("svc.batch." + i)).publishers().size();
        }
        assertThat(stored).as("every accepted publish on its slot leader, no refused one").isEqualTo(1_996);
        long batches = handled(session, "RegisterPublishersRequest");
        long singles = handled(session, "RegisterPublisherRequest");
        assertThat(batches).as("publishes sent in batches").isPositive();
        assertThat(batches + singles).as("frames for 2,000 publishes").isLessThan(2_000);
        // The session writes to each slot leader in batches too (LeaderWriteBatcher).
        long leaderBatches = 0;
        long leaderSingles = 0;
        for (dev.registry.data.DataServer d : cluster.data) {
            String metrics = httpGet("http://127.0.0.1:" + d.adminPort() + "/metrics");
            leaderBatches += handled(metrics, "LeaderWritesRequest");
            leaderSingles += handled(metrics, "WritePublisherRequest");
        }
        assertThat(leaderBatches).as("writes to slot leaders sent in batches").isPositive();
        assertThat(leaderBatches + leaderSingles).as("write requests for 1,996 registrations").isLessThan(1_996);
    }

    private static String httpGet(String url) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void aReconnectingClientReRegistersItsPublishersInBatches() throws Exception {
        SessionServer first = cluster.sessions.get(0);
        SessionServer second = cluster.sessions.get(1);
        RegistryClient client = clientOfBothSessions("batch");
        List<CompletableFuture<Publication>> all = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            all.add(client.publishAsync(DataInfoId.of("svc.rebatch." + (i % 12)), List.of("10.3.0." + i + ":80")));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        SessionServer connected = first.clientConnections() > 0 ? first : second;
        SessionServer other = connected == first ? second : first;
        long before = handled(other, "RegisterPublishersRequest");

        connected.close(); // the client moves to the other session and registers everything there again
        await().atMost(Duration.ofSeconds(30)).until(() -> other.publishers().size() == 1_200);
        // A batch is counted once answered, after its registrations reached the slot leaders.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(handled(other, "RegisterPublishersRequest")
                - before).as("1,200 re-registrations in frames of at most 256").isBetween(5L, 20L));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < 12; i++) {
                assertThat(cluster.leaderDatum(DataInfoId.of("svc.rebatch." + i)).publishers()).hasSize(100);
            }
        });
    }

    @Test
    void publishesInFlightWhenTheSessionAsksTheClientToMoveAreRegisteredOnTheNextSession() throws Exception {
        SessionServer first = cluster.sessions.get(0);
        SessionServer second = cluster.sessions.get(1);
        RegistryClient client = clientOfBothSessions("moving");
        await().atMost(Duration.ofSeconds(10)).until(() -> first.clientConnections() + second.clientConnections() == 1);
        SessionServer connected = first.clientConnections() == 1 ? first : second;
        List<CompletableFuture<Publication>> all = new ArrayList<>();
        Thread drain = new Thread(() -> connected.drain(Duration.ofSeconds(10)), "drain-under-load");
        for (int i = 0; i < 3_000; i++) {
            all.add(client.publishAsync(DataInfoId.of("svc.moving." + (i % 30)), List.of("10.5." + (i / 250) + "." + (i % 250) + ":80")));
            if (i == 500) {
                drain.start(); // asks the client to move while most publishes are still in flight
            }
        }
        drain.join(30_000);
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        assertThat(all).as("no publish failed because of the move").allMatch(f -> !f.isCompletedExceptionally());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            int stored = 0;
            for (int i = 0; i < 30; i++) {
                stored += cluster.leaderDatum(DataInfoId.of("svc.moving." + i)).publishers().size();
            }
            assertThat(stored).isEqualTo(3_000);
        });
    }

    @Test
    void aSessionRefusesEmptyAndOversizedBatchesAndAnswersEachRegistration() throws Exception {
        SessionServer session = cluster.sessions.get(0);
        RpcClient raw = new RpcClient("raw", RpcConfig.clientDefaults(), WireClasses.serializer(), new HandlerRegistry(),
                new ConnectionListener() { });
        toClose.add(raw::close);
        RpcConnection c = raw.connect("127.0.0.1", session.port()).get();
        Object hello = c.call(new ClientHello("raw-client", new long[0]), Duration.ofSeconds(10)).get();
        assertThat(hello).as("the session announces batches").isInstanceOf(Integer.class);
        assertThat(((Integer) hello) & ClientHello.SESSION_REGISTER_BATCHES).isNotZero();

        assertBadRequest(c, new RegisterPublishersRequest(List.of()), "at least one");
        List<Publisher> tooMany = new ArrayList<>();
        for (int i = 0; i <= RegisterPublishersRequest.MAX_PUBLISHERS; i++) {
            tooMany.add(publisher("svc.raw", "tooMany" + i, "10.4.0.1:" + i));
        }
        assertBadRequest(c, new RegisterPublishersRequest(tooMany), "at most " + RegisterPublishersRequest.MAX_PUBLISHERS);

        RegisterPublishersResponse answer = (RegisterPublishersResponse) c.call(new RegisterPublishersRequest(List.of(
                publisher("svc.raw", "rawRegistration0000001", "10.4.0.1:1"),
                publisher("svc.raw", "rawRegistration0000002", "x".repeat(16 * 1024 + 1)),
                publisher("svc.raw", "rawRegistration0000003", "10.4.0.1:3"))), Duration.ofSeconds(10)).get();
        assertThat(answer.outcomes()).hasSize(3);
        assertThat(((RegisterAck) answer.outcomes().get(0)).registerId()).isEqualTo("rawRegistration0000001");
        assertThat(((RpcError) answer.outcomes().get(1)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(((RegisterAck) answer.outcomes().get(2)).registerId()).isEqualTo("rawRegistration0000003");
        assertThat(cluster.leaderDatum(DataInfoId.of("svc.raw")).values()).containsExactlyInAnyOrder("10.4.0.1:1", "10.4.0.1:3");
    }

    private static Publisher publisher(String dataId, String registerId, String value) {
        return new Publisher(DataInfoId.of(dataId), registerId, 1, List.of(value), "raw", null, "", 0, null, null);
    }

    private static void assertBadRequest(RpcConnection c, Object request, String message) {
        assertThatThrownBy(() -> {
            try {
                c.call(request, Duration.ofSeconds(10)).get();
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        }).isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining(message);
    }

    /** A client that knows both sessions and connects to one of them; closed after the test. */
    private RegistryClient clientOfBothSessions(String app) {
        RegistryClient client = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:"
                + cluster.sessions.get(0).port() + ",127.0.0.1:" + cluster.sessions.get(1).port()).appName(app).build());
        toClose.add(client);
        return client;
    }

    /** The session's count of handled requests of a type, from its Prometheus text. */
    private static long handled(SessionServer session, String type) {
        return handled(session.metricsText(), type);
    }

    /** The count of handled requests of a type in a server's Prometheus text. */
    private static long handled(String metricsText, String type) {
        Matcher m = Pattern.compile("registry_rpc_handled_total\\{endpoint=\"[^\"]*\",type=\"" + type + "\"} (\\d+)")
                .matcher(metricsText);
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }
}
