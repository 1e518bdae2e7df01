package dev.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.data.DataServer;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin HTTP API of every role on a real cluster: answers, errors (400 / 401 / 404) and
 * the Prometheus text of /metrics. docs/operations.md documents what is asserted here.
 */
class AdminApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static TestCluster cluster;
    private static SessionServer a;
    private static SessionServer b;

    @BeforeAll
    static void start() {
        cluster = new TestCluster(2, 2);
        a = cluster.sessions.get(0);
        b = cluster.sessions.get(1);
        RegistryClient publisher = cluster.client(a);
        publisher.publish(DataInfoId.of("admin-demo"), List.of("10.0.0.1:8080"));
        RegistryClient subscriberA = cluster.client(a);
        RegistryClient subscriberB = cluster.client(b);
        RecordingObserver seenA = new RecordingObserver();
        RecordingObserver seenB = new RecordingObserver();
        subscriberA.subscribe(DataInfoId.of("admin-demo"), seenA);
        subscriberB.subscribe(DataInfoId.of("admin-demo"), seenB);
        subscriberB.subscribe(DataInfoId.of("admin-demo"), new RecordingObserver());
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.0.0.1:8080").equals(seenA.lastValues())
                && List.of("10.0.0.1:8080").equals(seenB.lastValues()));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(int port, String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void datumQueryShowsPublishersEveryCopyAndSubscribersPerSession() throws Exception {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            HttpResponse<String> r = get(b.adminPort(), "/api/v1/datum?dataId=admin-demo");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode d = json(r);
            assertThat(d.path("dataInfoId").asText()).isEqualTo(DataInfoId.of("admin-demo").canonical());
            assertThat(d.path("publishers")).hasSize(1);
            JsonNode p = d.path("publishers").get(0);
            assertThat(p.path("values").get(0).asText()).isEqualTo("10.0.0.1:8080");
            assertThat(p.path("appName").asText()).isEqualTo("test");
            assertThat(p.path("sessionId").asText()).isEqualTo(a.sessionId());
            long version = d.path("version").asLong();
            // Leader and follower: both copies at the leader's version once replication caught up.
            assertThat(d.path("copies")).hasSize(2);
            assertThat(d.path("copies").get(0).path("role").asText()).isEqualTo("LEADER");
            assertThat(d.path("copies").get(1).path("role").asText()).isEqualTo("FOLLOWER");
            for (JsonNode copy : d.path("copies")) {
                assertThat(copy.path("version").asLong()).as(copy.toString()).isEqualTo(version);
                assertThat(copy.path("publishers").asInt()).isEqualTo(1);
            }
            assertThat(d.path("subscribersBySession").path(a.sessionId()).asInt()).isEqualTo(1);
            assertThat(d.path("subscribersBySession").path(b.sessionId()).asInt()).isEqualTo(2);
            assertThat(d.path("localSubscribers").asInt()).isEqualTo(2);
        });
    }

    @Test
    void theCatalogCountsSubscribersOnEverySessionAndTheLastChange() throws Exception {
        long before = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (SessionServer s : List.of(a, b)) {
                JsonNode page = json(get(s.adminPort(), "/api/v1/catalog?prefix=admin-demo"));
                assertThat(page.path("ids")).hasSize(1);
                JsonNode id = page.path("ids").get(0);
                assertThat(id.path("publishers").asInt()).isEqualTo(1);
                assertThat(id.path("subscribers").asInt()).as(page.toString()).isEqualTo(3); // 1 on a, 2 on b
                assertThat(id.path("changedAtMillis").asLong()).isPositive().isLessThanOrEqualTo(before);
                assertThat(page.path("subscriberCountsFrom")).hasSize(2);
                assertThat(page.path("subscriberCountsMissing").size()).isZero();
            }
        });
        // The peer endpoint: only the ids in the page's range, with the page's filters.
        JsonNode local = json(get(b.adminPort(), "/api/v1/catalog/local-subscribers?prefix=admin-&to="
                + java.net.URLEncoder.encode(DataInfoId.of("admin-demo").canonical(), java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(local.path("counts").path(DataInfoId.of("admin-demo").canonical()).asInt()).isEqualTo(2);
        JsonNode before0 = json(get(b.adminPort(), "/api/v1/catalog/local-subscribers?to=a"));
        assertThat(before0.path("counts").size()).isZero();
    }

    @Test
    void datumShowsTheVersionPushedOnEverySession() throws Exception {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode d = json(get(a.adminPort(), "/api/v1/datum?dataId=admin-demo"));
            long version = d.path("version").asLong();
            assertThat(d.path("changedAtMillis").asLong()).isPositive();
            assertThat(d.path("sessions")).hasSize(2);
            for (JsonNode s : d.path("sessions")) {
                assertThat(s.path("maxPushedVersion").asLong()).as(s.toString()).isEqualTo(version);
                assertThat(s.path("minPushedVersion").asLong()).as(s.toString()).isEqualTo(version);
                assertThat(s.path("upToDate").asBoolean()).isTrue();
            }
            JsonNode local = json(get(b.adminPort(), "/api/v1/datum/local?dataId=admin-demo"));
            assertThat(local.path("subscribers")).hasSize(2);
            local.path("subscribers").forEach(sub -> assertThat(sub.path("pushedVersion").asLong()).isEqualTo(version));
        });
    }

    @Test
    void slotHealthMergesEveryDataServersReport() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode h = json(get(b.adminPort(), "/api/v1/slot-health"));
            assertThat(h.path("slotCount").asInt()).isEqualTo(TestCluster.SLOTS);
            assertThat(h.path("slots")).hasSize(TestCluster.SLOTS);
            assertThat(h.path("unreachable").size()).as(h.toString()).isZero();
            assertThat(h.path("migratingSlots").asInt()).as(h.toString()).isZero();
            for (JsonNode slot : h.path("slots")) {
                assertThat(slot.path("state").asText()).as(slot.toString()).isIn("ok", "lagging");
                assertThat(slot.path("leader").asText()).isNotEmpty();
                assertThat(slot.path("followers")).hasSize(1);
                assertThat(slot.path("replicationLagOps").asLong()).isGreaterThanOrEqualTo(0);
            }
        });
    }

    @Test
    void nodeInfoListsEveryNodesVersionAndUptime() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode nodes = json(get(a.adminPort(), "/api/v1/node-info"));
            Set<String> roles = new HashSet<>();
            nodes.forEach(n -> {
                roles.add(n.path("role").asText());
                assertThat(n.has("error")).as(n.toString()).isFalse();
                assertThat(n.path("version").asText()).isNotEmpty();
                assertThat(n.path("uptimeMillis").asLong()).isGreaterThanOrEqualTo(0);
                assertThat(n.path("adminAddress").asText()).startsWith("127.0.0.1:");
            });
            // 1 meta, 2 data servers (3 once the drain test added one), 2 sessions
            assertThat(nodes.size()).isBetween(5, 6);
            assertThat(roles).containsExactlyInAnyOrder("meta", "data", "session");
            JsonNode meta = nodes.findParents("role").stream().filter(n -> n.path("role").asText().equals("meta"))
                    .findFirst().orElseThrow();
            assertThat(meta.path("term").asLong()).isPositive();
            assertThat(meta.path("leaseLeftMillis").asLong()).isPositive();
        });
    }

    @Test
    void aSessionForwardsTheDrainOfADataServerOnlyWithTheToken() throws Exception {
        DataServer extra = cluster.addDataServer();
        await().atMost(Duration.ofSeconds(15)).until(() ->
                json(get(a.adminPort(), "/api/v1/members")).path("dataServers").size() == 3);
        String path = "/api/v1/data-servers/drain?address=" + extra.address();
        assertThat(post(a.adminPort(), path, null).statusCode()).isEqualTo(401);
        assertThat(post(a.adminPort(), path, "wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> unknown = post(a.adminPort(), "/api/v1/data-servers/drain?address=127.0.0.1:1",
                TestCluster.ADMIN_TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").asText()).contains("127.0.0.1:1");
        assertThat(json(get(extra.adminPort(), "/health/ready")).path("draining").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> ok = post(a.adminPort(), path, TestCluster.ADMIN_TOKEN);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        });
        await().atMost(Duration.ofSeconds(10)).until(() ->
                json(get(extra.adminPort(), "/health/ready")).path("draining").asBoolean());
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.meta.slotTable().slotsLedBy(extra.address()).isEmpty());
        cluster.stopDataServer(extra); // the other tests see the 2 data servers they started with
        await().atMost(Duration.ofSeconds(15)).until(() ->
                json(get(cluster.meta.adminPort(), "/api/v1/members")).path("dataServers").size() == 2);
    }

    @Test
    void unknownDataInfoIdIs404AndBadParametersAre400() throws Exception {
        HttpResponse<String> unknown = get(a.adminPort(), "/api/v1/datum?dataId=never-published");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").asText()).contains("never-published");
        HttpResponse<String> missing = get(a.adminPort(), "/api/v1/datum");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).path("error").asText()).contains("dataId");
        HttpResponse<String> badId = get(a.adminPort(), "/api/v1/datum?dataId=a%23%40%23b");
        assertThat(badId.statusCode()).isEqualTo(400);
        HttpResponse<String> badPage = get(a.adminPort(), "/api/v1/data-infos?size=100000");
        assertThat(badPage.statusCode()).isEqualTo(400);
        assertThat(json(badPage).path("error").asText()).contains("size");
        HttpResponse<String> badIp = post(a.adminPort(), "/api/v1/client-off?ip=not-an-ip", TestCluster.ADMIN_TOKEN);
        assertThat(badIp.statusCode()).isEqualTo(400);
        assertThat(json(badIp).path("error").asText()).contains("ip");
        assertThat(get(a.adminPort(), "/api/v1/no-such-thing").statusCode()).isEqualTo(404);
    }

    @Test
    void mutationsWithoutTheRightTokenAre401AndChangeNothing() throws Exception {
        DataServer data = cluster.data.get(0);
        for (String token : new String[] {null, "wrong-token"}) {
            assertThat(post(a.adminPort(), "/api/v1/push/stop", token).statusCode()).isEqualTo(401);
            assertThat(post(a.adminPort(), "/api/v1/client-off?ip=10.9.9.9", token).statusCode()).isEqualTo(401);
            assertThat(post(a.adminPort(), "/api/v1/drain", token).statusCode()).isEqualTo(401);
            assertThat(post(a.adminPort(), "/api/v1/log-level?logger=dev.registry&level=DEBUG", token).statusCode())
                    .isEqualTo(401);
            assertThat(post(data.adminPort(), "/api/v1/drain", token).statusCode()).isEqualTo(401);
        }
        assertThat(a.isDraining()).isFalse();
        assertThat(a.pushEngine().isPaused()).isFalse();
        assertThat(json(get(a.adminPort(), "/api/v1/client-off")).path("offIps")).isEmpty();
        assertThat(get(a.adminPort(), "/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void metaListsEveryMemberWithItsState() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode m = json(get(cluster.meta.adminPort(), "/api/v1/members"));
            assertThat(m.path("leader").asBoolean()).isTrue();
            assertThat(m.path("dataServers")).hasSize(2);
            int led = 0;
            for (JsonNode d : m.path("dataServers")) {
                assertThat(d.path("state").asText()).isEqualTo("UP");
                led += d.path("slotsLed").asInt();
            }
            assertThat(led).isEqualTo(TestCluster.SLOTS);
            assertThat(m.path("sessionServers")).hasSize(2);
            int clients = 0;
            for (JsonNode s : m.path("sessionServers")) {
                assertThat(s.path("state").asText()).isEqualTo("UP");
                clients += s.path("clientConnections").asInt();
            }
            assertThat(clients).isEqualTo(a.clientConnections() + b.clientConnections());
            assertThat(m.path("metaServers")).hasSize(1);
            assertThat(m.path("metaServers").get(0).path("state").asText()).isEqualTo("LEADER");
        });
    }

    @Test
    void sessionsListTheLiveSessionsForDiscovery() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode s = json(get(a.adminPort(), "/api/v1/servers"));
            assertThat(s.path("self").asText()).isEqualTo(a.sessionId());
            List<String> addresses = new ArrayList<>();
            s.path("servers").forEach(n -> addresses.add(n.path("address").asText()));
            assertThat(addresses).containsExactlyInAnyOrder(a.sessionId(), b.sessionId());
            s.path("servers").forEach(n -> assertThat(n.path("takingClients").asBoolean()).isTrue());
        });
    }

    @Test
    void everyRoleServesMetricsAsPrometheusText() throws Exception {
        String meta = get(cluster.meta.adminPort(), "/metrics").body();
        String data = get(cluster.data.get(0).adminPort(), "/metrics").body();
        String session = get(a.adminPort(), "/metrics").body();
        for (String text : List.of(meta, data, session)) {
            assertValidPrometheusText(text);
            assertThat(samples(text)).contains("jvm_memory_used_bytes", "registry_rpc_connections");
        }
        assertThat(samples(meta)).contains("registry_meta_leader", "registry_meta_data_servers",
                "registry_meta_session_servers", "registry_meta_slot_table_epoch");
        assertThat(samples(data)).contains("registry_data_publishers", "registry_data_slots_led",
                "registry_data_slot_table_epoch");
        assertThat(samples(session)).contains("registry_session_publishers", "registry_session_subscribers",
                "registry_session_client_connections", "registry_session_pushes_total",
                "registry_session_push_queue_keys", "registry_session_clients_asked_to_move_total",
                "registry_session_push_latency_seconds_bucket");
    }

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\",?)*})? "
                    + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    /** The text exposition format: HELP/TYPE comments, then samples of declared families. */
    static void assertValidPrometheusText(String text) {
        Set<String> families = new HashSet<>();
        Set<String> typed = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                Matcher m = TYPE.matcher(line);
                assertThat(m.matches()).as("TYPE line: %s", line).isTrue();
                assertThat(typed.add(m.group(1))).as("family typed twice: %s", line).isTrue();
                families.add(m.group(1));
            } else if (line.startsWith("#")) {
                assertThat(line).as("comment").matches("# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*");
            } else {
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as("sample line: %s", line).isTrue();
                String name = m.group(1);
                String family = name.replaceAll("_(bucket|sum|count)$", "");
                assertThat(families.contains(name) || families.contains(family))
                        .as("sample %s of a family with a TYPE line", name).isTrue();
            }
        }
        assertThat(typed).isNotEmpty();
    }

    private static Set<String> samples(String text) {
        Set<String> names = new HashSet<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                names.add(line.split("[{ ]")[0]);
            }
        }
        return names;
    }
}
