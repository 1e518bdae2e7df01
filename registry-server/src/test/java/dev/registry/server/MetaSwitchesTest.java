package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import dev.registry.meta.MetaServer;
import dev.registry.meta.store.TestDatabases;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Client-off and push stop set on meta are kept in its database, reach every session with the
 * heartbeat answers, and survive a meta failover.
 */
class MetaSwitchesTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    @TempDir
    Path dir;
    private TestCluster cluster;
    private RegistryClient offClient;

    @AfterEach
    void tearDown() {
        if (offClient != null) {
            offClient.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private HttpResponse<String> post(MetaServer meta, String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + meta.adminPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(MetaServer meta, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + meta.adminPort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void switchesSetOnAnyMetaReachEverySessionAndSurviveFailover() throws Exception {
        cluster = new TestCluster(TestDatabases.h2File(dir), 2, 1, 2);
        SessionServer s0 = cluster.sessions.get(0);
        SessionServer s1 = cluster.sessions.get(1);
        DataInfoId id = DataInfoId.of("meta.switches");
        offClient = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:" + s0.port()).appName("deploying")
                .ip("10.9.9.9").build());
        offClient.publish(id, List.of("10.9.9.9:80"));
        RecordingObserver observer = new RecordingObserver();
        cluster.client(s1).subscribe(id, observer);
        await().atMost(BOUND).until(() -> List.of("10.9.9.9:80").equals(observer.lastValues()));
        MetaServer leader = cluster.leaderMeta();
        MetaServer follower = cluster.metas.stream().filter(m -> m != leader).findFirst().orElseThrow();

        assertThat(post(leader, "/api/v1/client-off?ip=10.9.9.9", null).statusCode()).isEqualTo(401);
        assertThat(post(leader, "/api/v1/client-off?ip=not-an-ip", TestCluster.ADMIN_TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> off = post(leader, "/api/v1/client-off?ip=10.9.9.9", TestCluster.ADMIN_TOKEN);
        assertThat(off.statusCode()).isEqualTo(200);
        assertThat(off.body()).contains("10.9.9.9");

        // Every session applies it: the publisher is withdrawn from the data servers (its session keeps it).
        await().atMost(BOUND).until(() -> observer.lastValues().isEmpty());
        assertThat(s0.publishers().size()).isEqualTo(1);

        // A follower takes the request too: it writes the database, the leader serves it.
        assertThat(post(follower, "/api/v1/push/stop", TestCluster.ADMIN_TOKEN).statusCode()).isEqualTo(200);
        await().atMost(BOUND).until(() -> s0.pushEngine().isPaused() && s1.pushEngine().isPaused());

        cluster.crashMeta(leader);
        MetaServer next = cluster.leaderMeta();
        assertThat(next.switches().clientOffIps()).containsExactly("10.9.9.9");
        assertThat(next.switches().pushStopped()).isTrue();
        assertThat(get(next, "/api/v1/switches").body()).contains("\"pushStopped\" : true");

        assertThat(post(next, "/api/v1/push/resume", TestCluster.ADMIN_TOKEN).statusCode()).isEqualTo(200);
        assertThat(post(next, "/api/v1/client-on?ip=10.9.9.9", TestCluster.ADMIN_TOKEN).statusCode()).isEqualTo(200);
        await().atMost(BOUND).until(() -> !s0.pushEngine().isPaused() && !s1.pushEngine().isPaused());
        await().atMost(BOUND).until(() -> List.of("10.9.9.9:80").equals(observer.lastValues()));
        assertThat(observer.versionsIncrease()).isTrue();
    }

    @Test
    void followerRedirectsAndReportsTheLeader() throws Exception {
        cluster = new TestCluster(TestDatabases.h2File(dir), 2, 1, 1);
        MetaServer leader = cluster.leaderMeta();
        MetaServer follower = cluster.metas.stream().filter(m -> m != leader).findFirst().orElseThrow();

        assertThat(get(follower, "/api/v1/leader").body()).contains("\"leader\" : false")
                .contains("\"leaderAddress\" : \"" + leader.address() + "\"");
        assertThat(get(leader, "/api/v1/leader").body()).contains("\"leader\" : true");
        assertThat(get(follower, "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(follower, "/api/v1/slot-table").body()).contains("\"source\" : \"database\"")
                .contains("\"epoch\" : " + leader.slotTable().epoch());
        assertThat(get(leader, "/metrics").body()).contains("registry_meta_leader 1");
        assertThat(get(follower, "/metrics").body()).contains("registry_meta_leader 0");
        assertThat(follower.dataServers()).isEmpty();
        assertThat(leader.dataServers()).hasSize(1);
    }
}
