package dev.registry.server;

import com.alipay.sofa.registry.client.api.Publisher;
import com.alipay.sofa.registry.core.model.PublisherRegister;
import dev.registry.common.auth.AuthSignature;
import dev.registry.common.model.DataInfoId;
import dev.registry.session.SessionServer;
import dev.registry.session.bolt.SofaModel;
import dev.registry.sofa.auth.RegistryAuthManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SOFARegistry's unmodified client authenticates through its AuthManager hook with
 * registry-sofa-auth's {@link RegistryAuthManager} (issue 17): its registrations carry the
 * signing app and stay within its ACL; unsigned or wrongly signed ones are refused, which stops
 * the client's retries, and nothing of theirs reaches the data servers.
 */
class SofaAuthenticationTest {
    static {
        SofaTestClient.quietSofaLogging();
    }

    private static final String DEMO_SECRET = "demo-secret-0123456789";
    private static final Duration STARTUP = Duration.ofSeconds(15);
    @TempDir
    Path dir;
    private TestCluster cluster;
    private final List<SofaTestClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(SofaTestClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    private SofaTestClient client(SessionServer session, RegistryAuthManager auth) {
        SofaTestClient c = new SofaTestClient(session.adminPort(), auth);
        clients.add(c);
        return c;
    }

    @Test
    void theManagerSignsWhatTheSessionVerifies() {
        PublisherRegister r = new PublisherRegister();
        r.setDataId("demo.svc");
        r.setGroup("DEFAULT_GROUP");
        r.setRegistId("reg-1");
        r.setEventType("REGISTER");
        r.setVersion(3L);
        Map<String, String> a = new RegistryAuthManager("AK-demo", DEMO_SECRET).getAuthContent(r);
        assertThat(AuthSignature.verify(DEMO_SECRET, "AK-demo", Long.parseLong(a.get("!Timestamp")),
                SofaModel.signedContent(r), a.get("!Signature"))).isTrue();
        r.setDataId("other.svc");
        assertThat(AuthSignature.verify(DEMO_SECRET, "AK-demo", Long.parseLong(a.get("!Timestamp")),
                SofaModel.signedContent(r), a.get("!Signature"))).as("moved to another id").isFalse();
    }

    @Test
    void signedRegistrationsPassAndStayWithinTheAcl() throws Exception {
        Path apps = dir.resolve("apps.properties");
        Files.writeString(apps, """
                demo.accessKey=AK-demo
                demo.secretKey=demo-secret-0123456789
                demo.publish=demo.*
                demo.subscribe=demo.*
                """);
        cluster = new TestCluster(1, 0);
        SessionServer session = cluster.addSession(c -> c.withAppsFile(apps).withSofaBoltPort(0));
        cluster.awaitStable();

        SofaTestClient demo = client(session, new RegistryAuthManager("AK-demo", DEMO_SECRET));
        SofaTestClient.Recorder watcher = demo.subscribe("demo.svc");
        Publisher published = demo.publish("demo.svc", "10.0.0.1:12200");
        await().atMost(STARTUP).until(() -> watcher.shows("10.0.0.1:12200"));
        assertThat(cluster.leaderDatum(DataInfoId.of("demo.svc")).publishers()).singleElement()
                .satisfies(p -> assertThat(p.appName()).as("the signing app, not the claimed one").isEqualTo("demo"));

        Publisher forbidden = demo.publish("other.svc", "10.0.0.1:12200");
        SofaTestClient anonymous = client(session, null);
        Publisher unsigned = anonymous.publish("demo.svc", "10.6.6.6:1");
        SofaTestClient wrong = client(session, new RegistryAuthManager("AK-demo", "not-the-demo-secret!!"));
        Publisher badlySigned = wrong.publish("demo.svc", "10.6.6.7:1");
        SofaTestClient.Recorder outsideAcl = demo.subscribe("other.svc");
        // A refused registration stops the client's re-sends of it.
        await().atMost(STARTUP).until(() -> SofaTestClient.refused(forbidden) && SofaTestClient.refused(unsigned)
                && SofaTestClient.refused(badlySigned) && SofaTestClient.refused(outsideAcl.subscriber));
        assertThat(SofaTestClient.refused(published)).isFalse();
        assertThat(published.isRegistered()).isTrue();
        assertThat(cluster.leaderDatum(DataInfoId.of("demo.svc")).values()).containsExactly("10.0.0.1:12200");
        assertThat(cluster.leaderDatum(DataInfoId.of("other.svc")).publishers()).isEmpty();
        assertThat(outsideAcl.received).isEmpty();

        // The owner's signed unregister still works.
        published.unregister();
        await().atMost(STARTUP).until(() -> cluster.leaderDatum(DataInfoId.of("demo.svc")).publishers().isEmpty());
    }
}
