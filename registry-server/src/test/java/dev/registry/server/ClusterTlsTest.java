package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.DataServerHeartbeat;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.tls.TlsSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Mutual TLS between meta, data and session nodes (issue 17): the cluster works end to end, and
 * nobody without a certificate of the cluster CA gets a role-to-role connection (no fake data
 * server joins, no forged message arrives).
 */
class ClusterTlsTest {
    @TempDir
    Path dir;
    private TestCluster cluster;
    private final List<RpcClient> strangers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        strangers.forEach(RpcClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theClusterTalksMutualTlsAndRefusesStrangers() throws Exception {
        TestCertificates certs = new TestCertificates(dir);
        Path ca = certs.ca("cluster-ca");
        Path node = certs.signed("node", "cluster-ca");
        certs.ca("rogue-ca");
        Path rogue = certs.signed("rogue", "rogue-ca");
        cluster = new TestCluster(2, 1, new TlsSettings(node, certs.key("node"), ca));

        RegistryClient client = cluster.client(cluster.sessions.get(0));
        RecordingObserver sees = new RecordingObserver();
        client.subscribe(DataInfoId.of("svc.mtls"), sees);
        client.publish(DataInfoId.of("svc.mtls"), List.of("10.0.0.1:1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.0.0.1:1").equals(sees.lastValues()));
        int dataServers = cluster.meta.dataServers().size();

        // No certificate at all, and one from another CA: neither reaches meta or a data server.
        RpcClient plain = stranger(RpcConfig.clientDefaults());
        RpcClient forged = stranger(RpcConfig.clientDefaults().withTls(new TlsSettings(rogue, certs.key("rogue"), ca)));
        for (int port : List.of(cluster.meta.port(), cluster.data.get(0).port())) {
            assertThatThrownBy(() -> call(plain, port, new DataServerHeartbeat("127.0.0.1:1", 0)))
                    .as("plaintext to port %d", port).isInstanceOf(Exception.class);
            assertThatThrownBy(() -> call(forged, port, new DataServerHeartbeat("127.0.0.1:2", 0)))
                    .as("a certificate of another CA to port %d", port).isInstanceOf(Exception.class);
        }
        // A forged leave of a real data server, without a certificate and with a rogue one.
        String real = cluster.data.get(0).address();
        assertThatThrownBy(() -> call(plain, cluster.meta.port(), new dev.registry.common.protocol.DataServerLeaving(real)))
                .isInstanceOf(Exception.class);
        assertThatThrownBy(() -> call(forged, cluster.meta.port(), new dev.registry.common.protocol.DataServerLeaving(real)))
                .isInstanceOf(Exception.class);
        assertThat(cluster.meta.dataServers()).contains(real);
        assertThat(cluster.meta.dataServers()).hasSize(dataServers);
        assertThat(cluster.meta.dataServers()).doesNotContain("127.0.0.1:1", "127.0.0.1:2");
        client.publish(DataInfoId.of("svc.mtls"), List.of("10.0.0.2:1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sees.lastValues().size() == 2);

        // Admin ports speak HTTPS with the node certificate: the admin token never travels in clear.
        java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder()
                .sslContext(dev.registry.common.tls.TlsContext.forClient(TlsSettings.client(ca)).sslContext()).build();
        String health = https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:"
                + cluster.sessions.get(0).adminPort() + "/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(health).contains("UP");
        assertThatThrownBy(() -> java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + cluster.sessions.get(0).adminPort() + "/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
    }

    private RpcClient stranger(RpcConfig config) {
        RpcClient c = new RpcClient("stranger", config, WireClasses.serializer(), new HandlerRegistry(),
                new ConnectionListener() { });
        strangers.add(c);
        return c;
    }

    private static Object call(RpcClient client, int port, Object message) throws Throwable {
        try {
            RpcConnection c = client.connect("127.0.0.1", port).get();
            return c.call(message, Duration.ofSeconds(3)).get();
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }
}
