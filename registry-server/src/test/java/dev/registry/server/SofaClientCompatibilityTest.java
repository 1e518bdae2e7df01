package dev.registry.server;

import com.alipay.sofa.registry.client.api.Publisher;
import com.alipay.sofa.registry.client.api.registration.PublisherRegistration;
import dev.registry.client.RegistryClient;
import dev.registry.client.SubscriptionObserver;
import dev.registry.common.model.DataInfoId;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SOFARegistry's own Java client ({@code com.alipay.sofa:registry-client-all} 6.5.6 from Maven
 * Central, unmodified) against an in-JVM cluster whose sessions serve it on Bolt beside our
 * own protocol. The client finds the sessions through their admin HTTP port, exactly as it
 * finds SOFARegistry's (port 9603 there and in our launcher).
 */
class SofaClientCompatibilityTest {
    static {
        SofaTestClient.quietSofaLogging();
    }

    /** First pushes after a cluster starts wait for new slot leaders to be reconciled (at most 10 s). */
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final String DISCOVERY_PARAMS =
            "?env=null&zone=DEFAULT_ZONE&dataCenter=DefaultDataCenter&appName=demo&instanceId=null";
    private TestCluster cluster;
    private final List<SofaTestClient> sofaClients = new ArrayList<>();

    @AfterEach
    void stop() {
        sofaClients.forEach(SofaTestClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The stock client reads the server list once and refreshes it only every 30 s: start
     * clients once discovery lists every session, as in a running deployment.
     */
    private void awaitDiscoveryListsAll() {
        List<SessionServer> sofa = cluster.sessions.stream().filter(s -> s.sofaBoltPort() > 0).toList();
        await().atMost(STARTUP).until(() -> {
            for (SessionServer s : sofa) {
                if (weights(s).size() != sofa.size()) {
                    return false;
                }
            }
            return true;
        });
    }

    private SofaTestClient sofaClient(SessionServer discovery) {
        SofaTestClient c = new SofaTestClient(discovery.adminPort());
        sofaClients.add(c);
        return c;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Records when each callback came, for latency figures independent of polling. */
    private static SubscriptionObserver timed(RecordingObserver recorder, List<Long> times) {
        return data -> {
            times.add(System.nanoTime());
            recorder.onUpdate(data);
        };
    }

    private static long lastMillis(List<Long> times, long startNanos) {
        return (times.get(times.size() - 1) - startNanos) / 1_000_000;
    }

    @Test
    void publishRepublishUnregisterAndSubscribe() {
        cluster = new TestCluster(1, 0);
        SessionServer session = cluster.addSofaSession();
        cluster.awaitStable();
        SofaTestClient provider = sofaClient(session);
        SofaTestClient consumer = sofaClient(session);

        SofaTestClient.Recorder seen = consumer.subscribe("com.example.Orders");
        await().atMost(STARTUP).until(() -> seen.received.size() == 1);
        assertThat(seen.last()).as("first push of a service nobody published: empty").isEmpty();
        // Exactly one callback, and the id is quiet again (past its 200 ms push window): the
        // publish below is an isolated change, pushed on the leading edge.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> seen.received.size() == 1);

        long start = System.nanoTime();
        Publisher p = provider.publish("com.example.Orders", "10.0.0.1:12200");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.shows("10.0.0.1:12200"));
        System.out.printf("SOFA publish -> SOFA subscriber callback: %d ms%n", seen.lastMillisSince(start));
        await().atMost(Duration.ofSeconds(10)).until(p::isRegistered);
        assertThat(seen.zones.get(seen.zones.size() - 1)).containsOnlyKeys("DEFAULT_ZONE");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> seen.received.size() == 2);
        assertThat(seen.subscriber.peekData().getZoneData()).containsOnlyKeys("DEFAULT_ZONE");
        assertThat(seen.subscriber.peekData().getLocalZone()).isEqualTo("DEFAULT_ZONE");

        start = System.nanoTime();
        p.republish("10.0.0.1:12200", "10.0.0.1:12201");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.shows("10.0.0.1:12200", "10.0.0.1:12201"));
        System.out.printf("SOFA republish -> SOFA subscriber callback: %d ms%n", seen.lastMillisSince(start));
        await().atMost(Duration.ofSeconds(10)).until(p::isRegistered); // our answer echoed version 2
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> seen.received.size() == 3);

        start = System.nanoTime();
        p.unregister();
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.last().isEmpty());
        System.out.printf("SOFA unregister -> SOFA subscriber callback: %d ms%n", seen.lastMillisSince(start));
        DataInfoId id = DataInfoId.of("com.example.Orders");
        assertThat(session.publishers().publishersOf(id)).isEmpty();
        assertThat(cluster.leaderDatum(id).publishers()).isEmpty();
        assertThat(seen.received).as("one callback per change, no repeats")
                .containsExactly(List.of(), List.of("10.0.0.1:12200"), List.of("10.0.0.1:12200", "10.0.0.1:12201"),
                        List.of());
    }

    @Test
    void bothClientFamiliesSeeEachOthersServicesInOneKeySpace() {
        cluster = new TestCluster(2, 0);
        SessionServer a = cluster.addSofaSession();
        SessionServer b = cluster.addSofaSession();
        cluster.awaitStable();
        awaitDiscoveryListsAll();
        SofaTestClient sofa = sofaClient(a);
        RegistryClient ours = cluster.client(b);

        // SOFA publishes (group and tenant set), our client subscribes to the same key.
        DataInfoId payments = DataInfoId.of("com.example.Payments", "PROD", "tenant-1");
        RecordingObserver oursSees = new RecordingObserver();
        List<Long> oursTimes = new CopyOnWriteArrayList<>();
        ours.subscribe(payments, timed(oursSees, oursTimes));
        await().atMost(STARTUP).until(() -> oursSees.received.size() == 1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> oursSees.received.size() == 1);
        PublisherRegistration registration = new PublisherRegistration("com.example.Payments");
        registration.setGroup("PROD");
        registration.setInstanceId("tenant-1");
        long start = System.nanoTime();
        sofa.publish(registration, "10.0.0.2:8080");
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.0.0.2:8080").equals(oursSees.lastValues()));
        System.out.printf("SOFA publish -> our subscriber callback: %d ms%n", lastMillis(oursTimes, start));
        dev.registry.common.model.Publisher stored = cluster.leaderDatum(payments).publishers().get(0);
        assertThat(stored.ip()).as("the client's address, from its socket").isEqualTo("127.0.0.1");
        assertThat(stored.zone()).isEqualTo("DEFAULT_ZONE");

        // Our client publishes, SOFA subscribes: first the empty list, then ours.
        SofaTestClient.Recorder sofaSees = sofa.subscribe("com.example.Inventory");
        await().atMost(Duration.ofSeconds(10)).until(() -> sofaSees.received.size() == 1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> sofaSees.received.size() == 1);
        start = System.nanoTime();
        ours.publish(DataInfoId.of("com.example.Inventory"), List.of("10.0.0.3:9090"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sofaSees.shows("10.0.0.3:9090"));
        System.out.printf("our publish -> SOFA subscriber callback: %d ms%n", sofaSees.lastMillisSince(start));

        // Both families publishing one service: each subscriber sees both.
        ours.publish(payments, List.of("10.0.0.4:8080"));
        SofaTestClient.Recorder sofaPayments = sofaClient(b).subscribe("com.example.Payments");
        // (default group / tenant: a different key, so nothing)
        await().atMost(Duration.ofSeconds(10)).until(() -> sofaPayments.received.size() == 1);
        assertThat(sofaPayments.last()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> oursSees.lastValues().size() == 2);
        assertThat(oursSees.lastValues()).containsExactlyInAnyOrder("10.0.0.2:8080", "10.0.0.4:8080");
        assertThat(oursSees.versionsIncrease()).isTrue();
    }

    @Test
    void aKilledPublishersConnectionIsGoneForEverySubscriberWithinASecond() {
        cluster = new TestCluster(2, 0);
        SessionServer a = cluster.addSofaSession();
        SessionServer b = cluster.addSofaSession();
        cluster.awaitStable();
        awaitDiscoveryListsAll();
        SofaTestClient provider = sofaClient(a);
        provider.publish("svc.kill", "10.9.9.9:1");
        SofaTestClient.Recorder sofaSees = sofaClient(b).subscribe("svc.kill");
        RecordingObserver oursSees = new RecordingObserver();
        List<Long> oursTimes = new CopyOnWriteArrayList<>();
        cluster.client(b).subscribe(DataInfoId.of("svc.kill"), timed(oursSees, oursTimes));
        await().atMost(STARTUP).until(() -> sofaSees.shows("10.9.9.9:1")
                && List.of("10.9.9.9:1").equals(oursSees.lastValues()));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> sofaSees.shows("10.9.9.9:1"));

        long start = System.nanoTime();
        provider.close(); // the process dies: its connection closes
        await().atMost(Duration.ofSeconds(1)).until(() -> sofaSees.last().isEmpty() && oursSees.lastValues().isEmpty());
        System.out.printf("killed SOFA publisher gone: SOFA subscriber after %d ms, ours after %d ms%n",
                sofaSees.lastMillisSince(start), lastMillis(oursTimes, start));
    }

    @Test
    void clientsOfAStoppedSessionMoveToAnotherWithoutAnEmptyPush() {
        // Data servers keep a vanished session's publishers for 20 s (the launcher's default): the
        // stock client may take up to ~5 s to reconnect (it sleeps 0-5 s after a refused connect).
        cluster = new TestCluster(2, 0, Duration.ofSeconds(20));
        SessionServer a = cluster.addSofaSession();
        SessionServer b = cluster.addSofaSession();
        cluster.awaitStable();
        awaitDiscoveryListsAll();
        // One process that provides and consumes the same service: after a reconnect it re-sends
        // both in arbitrary order, so its subscriber may come back before its publisher.
        SofaTestClient app = sofaClient(a);
        Publisher p = app.publish("svc.move", "10.7.7.7:1");
        SofaTestClient.Recorder appSees = app.subscribe("svc.move");
        SofaTestClient.Recorder otherSees = sofaClient(b).subscribe("svc.move");
        RecordingObserver oursSees = new RecordingObserver();
        RegistryClient ours = cluster.client(b);
        ours.subscribe(DataInfoId.of("svc.move"), oursSees);
        await().atMost(STARTUP).until(() -> appSees.shows("10.7.7.7:1") && otherSees.shows("10.7.7.7:1")
                && List.of("10.7.7.7:1").equals(oursSees.lastValues()) && p.isRegistered());

        SessionServer current = sessionOf(app);
        SessionServer other = current == a ? b : a;
        int appCallbacks = appSees.received.size();
        // Before the move it may have seen several empty lists: the stock client publishes
        // asynchronously, so its subscriber can be pushed versions that do not hold it yet.
        int otherCallbacks = otherSees.received.size();
        long start = System.nanoTime();
        cluster.sessions.remove(current);
        current.close();

        await().atMost(Duration.ofSeconds(15)).until(() -> other.publishers()
                .publishersOf(DataInfoId.of("svc.move")).size() == 1);
        System.out.printf("SOFA client re-registered on the other session after %d ms%n", millisSince(start));
        // Its subscriber re-registered too and was pushed the list again (possibly several times).
        await().atMost(Duration.ofSeconds(10)).until(() -> sessionOf(app) == other
                && other.subscribers().subscribersOf(DataInfoId.of("svc.move")).size() >= 2);
        assertThat(appSees.received).as("the moving client's own subscriber never saw an empty list")
                .allMatch(v -> v.equals(List.of("10.7.7.7:1")) || v.isEmpty() && appSees.received.indexOf(v) == 0);
        assertThat(appSees.received.subList(appCallbacks, appSees.received.size())).doesNotContain(List.of());
        assertThat(otherSees.received.subList(otherCallbacks, otherSees.received.size())).doesNotContain(List.of());
        assertThat(oursSees.received).allMatch(d -> d.values().equals(List.of("10.7.7.7:1")) || d.version() == 0);
        assertThat(oursSees.versionsIncrease()).isTrue();
        assertThat(cluster.leaderDatum(DataInfoId.of("svc.move")).publishers())
                .extracting(dev.registry.common.model.Publisher::sessionId).containsExactly(other.sessionId());
    }

    @Test
    void clientsOfADrainingSessionMoveToAnotherWithoutAnEmptyPush() {
        cluster = new TestCluster(2, 0, Duration.ofSeconds(20));
        SessionServer a = cluster.addSofaSession();
        SessionServer b = cluster.addSofaSession();
        cluster.awaitStable();
        awaitDiscoveryListsAll();
        SofaTestClient app = sofaClient(a);
        Publisher p = app.publish("svc.drain", "10.6.6.6:1");
        SofaTestClient.Recorder appSees = app.subscribe("svc.drain");
        RecordingObserver oursSees = new RecordingObserver();
        cluster.client(b).subscribe(DataInfoId.of("svc.drain"), oursSees);
        await().atMost(STARTUP).until(() -> appSees.shows("10.6.6.6:1")
                && List.of("10.6.6.6:1").equals(oursSees.lastValues()) && p.isRegistered());
        SessionServer current = sessionOf(app);
        SessionServer other = current == a ? b : a;
        // The stock client publishes asynchronously: before the drain its subscriber may have been
        // pushed several versions that do not hold its publisher yet. Judge it from the drain on.
        int appCallbacks = appSees.received.size();

        long start = System.nanoTime();
        current.drain(Duration.ofSeconds(1)); // closes its SOFARegistry clients; they reconnect elsewhere
        await().atMost(Duration.ofSeconds(15)).until(() -> sessionOf(app) == other && other.publishers()
                .publishersOf(DataInfoId.of("svc.drain")).size() == 1);
        System.out.printf("drained session's SOFA client re-registered elsewhere after %d ms%n", millisSince(start));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.leaderDatum(DataInfoId.of("svc.drain")).publishers()
                .stream().allMatch(x -> x.sessionId().equals(other.sessionId())));
        assertThat(appSees.received.subList(appCallbacks, appSees.received.size()))
                .as("the draining session's client never saw an empty list from the drain on").doesNotContain(List.of());
        assertThat(oursSees.received).allMatch(d -> d.values().equals(List.of("10.6.6.6:1")) || d.version() == 0);
        assertThat(cluster.leaderDatum(DataInfoId.of("svc.drain")).values()).containsExactly("10.6.6.6:1");
    }

    private SessionServer sessionOf(SofaTestClient client) {
        int port = client.connectedPort();
        return cluster.sessions.stream().filter(s -> s.sofaBoltPort() == port).findFirst().orElse(null);
    }

    @Test
    void discoveryListsLiveSessionsBoltAddressesWeightedByConnections() throws Exception {
        cluster = new TestCluster(1, 1); // this session has no Bolt port: never listed
        SessionServer a = cluster.addSofaSession();
        SessionServer b = cluster.addSofaSession();
        cluster.awaitStable();
        String boltA = "127.0.0.1:" + a.sofaBoltPort();
        String boltB = "127.0.0.1:" + b.sofaBoltPort();

        await().atMost(STARTUP).until(() -> weights(a).equals(Map.of(boltA, 0, boltB, 0))
                && weights(b).equals(Map.of(boltA, 0, boltB, 0)));
        String plain = get(a, "/api/servers/query" + DISCOVERY_PARAMS);
        assertThat(plain.split(";")).containsExactlyInAnyOrder(boltA, boltB);

        // A client publishing under the sessions' reserved id cannot add itself to the list.
        cluster.client(cluster.sessions.get(0)).publish(
                DataInfoId.of("registry.sofa-bolt-endpoints", "REGISTRY_SYSTEM", null), List.of("6.6.6.6:9601?weight=0"));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.leaderDatum(
                DataInfoId.of("registry.sofa-bolt-endpoints", "REGISTRY_SYSTEM", null)).publishers().size() == 3);
        await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(2))
                .until(() -> weights(a).equals(Map.of(boltA, 0, boltB, 0)));

        // Two clients on B make it the busier one; A's answer says so within the refresh period.
        try (Socket c1 = new Socket("127.0.0.1", b.sofaBoltPort()); Socket c2 = new Socket("127.0.0.1", b.sofaBoltPort())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> weights(a).equals(Map.of(boltA, 0, boltB, 2)));
        }
        // A stopped session leaves the list once meta drops it.
        cluster.sessions.remove(b);
        b.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> weights(a).keySet().equals(java.util.Set.of(boltA)));
        // A draining session stops listing itself at once.
        a.drain(Duration.ZERO);
        assertThat(get(a, "/api/servers/queryWithWeight")).isEmpty();
    }

    @Test
    void theLauncherServesSofaClientsOn9601BesideTheDefaultPortsAndOnAFreePortOtherwise() {
        assertThat(launcher().effectiveSofaBoltPort()).isEqualTo(9601);
        assertThat(launcher("--session-port", "19600").effectiveSofaBoltPort()).as("announced by discovery").isZero();
        assertThat(launcher("--sofa-bolt-port", "19601").effectiveSofaBoltPort()).isEqualTo(19601);
        assertThat(launcher("--sofa-bolt-port", "-1").effectiveSofaBoltPort()).as("disabled").isEqualTo(-1);
    }

    private static RegistryServerMain launcher(String... args) {
        RegistryServerMain main = new RegistryServerMain();
        new picocli.CommandLine(main).parseArgs(args);
        return main;
    }

    private static String get(SessionServer s, String pathAndQuery) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + s.adminPort() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain(" ", "\n", "\r");
        return r.body();
    }

    /** The weighted list as SOFARegistry's ServerNodeParser reads it: host:port?weight=N joined by ';'. */
    private static Map<String, Integer> weights(SessionServer s) throws Exception {
        Map<String, Integer> out = new LinkedHashMap<>();
        String body = get(s, "/api/servers/queryWithWeight" + DISCOVERY_PARAMS);
        for (String entry : body.isEmpty() ? new String[0] : body.split(";")) {
            int q = entry.indexOf("?weight=");
            out.put(entry.substring(0, q), Integer.parseInt(entry.substring(q + "?weight=".length())));
        }
        return out;
    }
}
