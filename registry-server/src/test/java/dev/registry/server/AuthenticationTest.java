package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.client.RegistryException;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.AuthRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.auth.AuthSignature;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Client authentication and ACLs on a real cluster (issue 17). */
class AuthenticationTest {
    private static final String DEMO_SECRET = "demo-secret-0123456789";
    @TempDir
    Path dir;
    private TestCluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private SessionServer securedSession(String appsText) throws Exception {
        Path apps = dir.resolve("apps.properties");
        Files.writeString(apps, appsText);
        cluster = new TestCluster(1, 0);
        SessionServer s = cluster.addSession(c -> c.withAppsFile(apps));
        cluster.awaitStable();
        return s;
    }

    private RegistryClient client(SessionServer s, String accessKey, String secret) {
        RegistryClientConfig.Builder b = RegistryClientConfig.builder("127.0.0.1:" + s.port()).appName("claimed-app")
                .requestTimeout(Duration.ofSeconds(5)).heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
        if (accessKey != null) {
            b.credentials(accessKey, secret);
        }
        RegistryClient c = RegistryClient.start(b.build());
        closeables.add(c);
        return c;
    }

    @Test
    void appsProveTheirCredentialsAndStayWithinTheirAcl() throws Exception {
        SessionServer session = securedSession("""
                demo.accessKey=AK-demo
                demo.secretKey=demo-secret-0123456789
                demo.publish=demo.*
                """);
        RegistryClient demo = client(session, "AK-demo", DEMO_SECRET);
        demo.publish(DataInfoId.of("demo.svc"), List.of("10.0.0.1:1"));
        assertThat(cluster.leaderDatum(DataInfoId.of("demo.svc")).publishers()).singleElement()
                .satisfies(p -> assertThat(p.appName()).as("the authenticated app, not the claimed one").isEqualTo("demo"));
        assertThatThrownBy(() -> demo.publish(DataInfoId.of("other.svc"), List.of("10.0.0.1:1")))
                .isInstanceOf(RegistryException.class).hasMessageContaining("app demo may not publish other.svc");

        RegistryClient anonymous = client(session, null, null);
        assertThatThrownBy(() -> anonymous.publish(DataInfoId.of("demo.svc"), List.of("10.6.6.6:1")))
                .isInstanceOf(RegistryException.class).hasMessageContaining("authentication required");
        assertThatThrownBy(() -> anonymous.subscribe(DataInfoId.of("demo.svc"), new RecordingObserver()))
                .isInstanceOf(RegistryException.class).hasMessageContaining("authentication required");

        RegistryClient wrong = client(session, "AK-demo", "not-the-demo-secret!!");
        assertThatThrownBy(() -> wrong.publish(DataInfoId.of("demo.svc"), List.of("10.6.6.7:1")))
                .isInstanceOf(RegistryException.class).hasMessageContaining("authentication failed: bad signature");
        assertThat(cluster.leaderDatum(DataInfoId.of("demo.svc")).values()).containsExactly("10.0.0.1:1");
    }

    @Test
    void aRecordedAuthenticationCannotBeReplayedOnAnotherConnection() throws Exception {
        SessionServer session = securedSession("demo.accessKey=AK-demo\ndemo.secretKey=" + DEMO_SECRET + "\n");
        RpcClient raw = new RpcClient("replayer", RpcConfig.clientDefaults(), WireClasses.serializer(),
                new HandlerRegistry(), new ConnectionListener() { });
        closeables.add(raw::close);
        long now = System.currentTimeMillis();
        AuthRequest recorded = new AuthRequest("AK-demo", now, "nonce-recorded-0001",
                AuthSignature.sign(DEMO_SECRET, "AK-demo", now, "nonce-recorded-0001"));
        RpcConnection first = raw.connect("127.0.0.1", session.port()).get();
        first.call(recorded, Duration.ofSeconds(5)).get();
        RpcConnection second = raw.connect("127.0.0.1", session.port()).get();
        assertThatThrownBy(() -> {
            try {
                second.call(recorded, Duration.ofSeconds(5)).get();
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        }).isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                .hasMessageContaining("replayed");
    }

    @Test
    void theAppsFileIsReloadedWithoutRestart() throws Exception {
        SessionServer session = securedSession("demo.accessKey=AK-demo\ndemo.secretKey=" + DEMO_SECRET + "\n");
        RegistryClient late = client(session, "AK-late", "late-secret-0123456789");
        assertThatThrownBy(() -> late.publish(DataInfoId.of("late.svc"), List.of("10.0.0.9:1")))
                .hasMessageContaining("unknown access key");
        Files.writeString(dir.resolve("apps.properties"), "demo.accessKey=AK-demo\ndemo.secretKey=" + DEMO_SECRET
                + "\nlate.accessKey=AK-late\nlate.secretKey=late-secret-0123456789\nlate.publish=late.*\n");
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
            late.publish(DataInfoId.of("late.svc"), List.of("10.0.0.9:1"));
            return true;
        });
        assertThat(cluster.leaderDatum(DataInfoId.of("late.svc")).values()).containsExactly("10.0.0.9:1");
    }
}
