package dev.registry.server;

import com.google.common.net.HostAndPort;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.session.SessionServer;
import dev.registry.session.SessionServerConfig;
import dev.registry.session.balance.ConnectionBalancer;
import dev.registry.session.push.PushEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions move clients to sessions that hold fewer (issue: a restarted session must not stay
 * empty for days), through the same deferred withdrawal as a drain: subscribers never see a
 * publisher missing. Clients also learn every session from the one they connect to.
 */
class ConnectionBalanceTest {
    private static final Logger log = LoggerFactory.getLogger(ConnectionBalanceTest.class);
    /** Test rounds: faster than the 5 s default, still longer than two 300 ms meta heartbeats. */
    private static final ConnectionBalancer.Settings BALANCE =
            ConnectionBalancer.Settings.defaults().withInterval(Duration.ofMillis(1_500));
    private static final int IDS = 20;

    private TestCluster cluster;
    private final List<RegistryClient> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        clients.parallelStream().forEach(RegistryClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    private SessionServer addBalancedSession() {
        RpcConfig clientRpc = RpcConfig.serverDefaults().withWorkerThreads(2).withHeartbeat(Duration.ZERO, Duration.ofSeconds(3));
        SessionServer s = new SessionServer(new SessionServerConfig("127.0.0.1", 0, 0, "127.0.0.1",
                cluster.metaAddresses(), TestCluster.SLOTS, Duration.ofMillis(300), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(5), clientRpc, PushEngine.Settings.defaults(),
                TestCluster.ADMIN_TOKEN).withBalance(BALANCE), Clock.systemUTC()).start();
        cluster.sessions.add(s); // the cluster stops it
        return s;
    }

    private RegistryClient client(String servers) {
        RegistryClient c = RegistryClient.start(RegistryClientConfig.builder(servers).appName("balance-test")
                .requestTimeout(Duration.ofSeconds(10)).heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build());
        clients.add(c);
        return c;
    }

    private static String address(SessionServer s) {
        return "127.0.0.1:" + s.port();
    }

    @Test
    void clientsSpreadOverAJoiningSessionWithNoPublisherEverMissing() {
        cluster = new TestCluster(2, 0);
        SessionServer a = addBalancedSession();
        SessionServer b = addBalancedSession();
        cluster.awaitStable();

        // One subscriber client per session, every id; they may be moved too.
        List<RecordingObserver> observers = new ArrayList<>();
        for (SessionServer s : List.of(a, b)) {
            RegistryClient subscriber = client(address(s));
            for (int i = 0; i < IDS; i++) {
                RecordingObserver o = new RecordingObserver();
                subscriber.subscribe(DataInfoId.of("balance-" + i), o);
                observers.add(o);
            }
        }
        // 200 publisher clients, 100 per session, 10 per id; each lists every session as a fallback.
        List<String> allValues = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            SessionServer home = i % 2 == 0 ? a : b;
            SessionServer other = home == a ? b : a;
            String value = "10.0." + (i / 100) + "." + (i % 100) + ":8080";
            client(address(home) + "," + address(other)).publish(DataInfoId.of("balance-" + (i % IDS)), List.of(value));
            allValues.add(value);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int i = 0; i < observers.size(); i++) {
                assertThat(observers.get(i).lastValues()).as("id %d", i % IDS).hasSize(200 / IDS);
            }
        });
        int[] complete = observers.stream().mapToInt(o -> o.received.size() - 1).toArray();
        int total = a.clientConnections() + b.clientConnections();
        assertThat(total).isEqualTo(202);

        long joined = System.nanoTime();
        SessionServer c = addBalancedSession();
        double share = total / 3.0;
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (SessionServer s : List.of(a, b, c)) {
                assertThat((double) s.clientConnections()).as("clients on %s", s.sessionId())
                        .isBetween(share * 0.9, share * 1.1);
            }
        });
        double balancedSeconds = (System.nanoTime() - joined) / 1e9;
        log.info("balanced in {} s after the third session joined: {} / {} / {} clients", String.format("%.1f",
                balancedSeconds), a.clientConnections(), b.clientConnections(), c.clientConnections());
        // Settled: every client connected again, the leaders hold all 200 publishers.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(clients).allMatch(RegistryClient::isConnected);
            for (int i = 0; i < IDS; i++) {
                assertThat(cluster.leaderDatum(DataInfoId.of("balance-" + i)).publishers()).hasSize(200 / IDS);
            }
        });
        // Let the moved clients' deferred withdrawals (10 s) run out: they must withdraw nothing.
        long graceOver = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() > graceOver);
        for (int i = 0; i < IDS; i++) {
            assertThat(cluster.leaderDatum(DataInfoId.of("balance-" + i)).publishers()).hasSize(200 / IDS);
        }
        assertThat(c.clientConnections()).as("the new session keeps its share").isGreaterThan((int) (share * 0.9));
        // No push after the lists were complete ever lacked a live publisher.
        for (int i = 0; i < observers.size(); i++) {
            RecordingObserver o = observers.get(i);
            List<SubscriptionData> after = o.received.subList(complete[i], o.received.size());
            for (SubscriptionData d : after) {
                assertThat(d.values()).as("push of %s version %d", d.dataInfoId(), d.version()).hasSize(200 / IDS);
            }
            assertThat(o.versionsIncrease()).isTrue();
        }
        Set<String> seen = new HashSet<>();
        observers.forEach(o -> seen.addAll(o.lastValues()));
        assertThat(seen).containsExactlyInAnyOrderElementsOf(allValues);
        assertThat(clients).allMatch(cl -> cl.olderPushesDropped() == 0);
    }

    @Test
    void aClientGivenOneAddressLearnsEverySessionAndUsesThemWhenItIsGone() throws Exception {
        cluster = new TestCluster(1, 0);
        SessionServer a = addBalancedSession();
        SessionServer b = addBalancedSession();
        SessionServer c = addBalancedSession();
        cluster.awaitStable();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> servers = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.adminPort() + "/api/v1/servers")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(servers.statusCode()).isEqualTo(200);
            for (SessionServer s : List.of(a, b, c)) {
                assertThat(servers.body()).contains("\"address\" : \"" + s.sessionId() + "\"");
            }
            assertThat(servers.body()).doesNotContain("\"takingClients\" : false");
        });

        RegistryClient publisher = client(address(a));
        publisher.publish(DataInfoId.of("discovered"), List.of("10.1.1.1:80"));
        RegistryClient subscriberClient = client(address(b));
        RecordingObserver observer = new RecordingObserver();
        subscriberClient.subscribe(DataInfoId.of("discovered"), observer);
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.1.1.1:80").equals(observer.lastValues()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(publisher.knownSessions())
                .contains(HostAndPort.fromString(address(b)), HostAndPort.fromString(address(c))));

        // The only configured address goes away (drained and stopped): the client finds another session.
        cluster.sessions.remove(a);
        a.drain(Duration.ofSeconds(10));
        a.close();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(publisher.isConnected()).isTrue();
            assertThat(publisher.sessionAddress()).isPresent();
            assertThat(publisher.sessionAddress().get().getPort()).isIn(b.port(), c.port());
        });
        // Its publisher stays through the move, and after the withdrawal grace.
        long graceOver = System.nanoTime() + Duration.ofSeconds(11).toNanos();
        await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() > graceOver);
        assertThat(cluster.leaderDatum(DataInfoId.of("discovered")).publishers()).hasSize(1);
        assertThat(observer.received).allSatisfy(d -> assertThat(d.values()).containsExactly("10.1.1.1:80"));
    }
}
