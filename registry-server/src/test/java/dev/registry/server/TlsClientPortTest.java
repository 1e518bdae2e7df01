package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.client.RegistryException;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.tls.TlsContext;
import dev.registry.common.tls.TlsSettings;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** TLS on the session's client port (issue 17): real certificates from a private CA, real sockets. */
class TlsClientPortTest {
    private static final DataInfoId ID = DataInfoId.of("svc.tls");
    @TempDir
    Path dir;
    private TestCluster cluster;
    private final List<RegistryClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(RegistryClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    private RegistryClient client(SessionServer s, Path ca) {
        RegistryClientConfig.Builder b = RegistryClientConfig.builder("127.0.0.1:" + s.port()).appName("tls-test")
                .requestTimeout(Duration.ofSeconds(3)).heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
        if (ca != null) {
            b.tlsCa(ca);
        }
        RegistryClient c = RegistryClient.start(b.build());
        clients.add(c);
        return c;
    }

    @Test
    void clientsThatTrustTheCaGetInOthersDoNot() throws Exception {
        TestCertificates certs = new TestCertificates(dir);
        Path ca = certs.ca("cluster-ca");
        Path cert = certs.signed("session", "cluster-ca");
        Path otherCa = certs.ca("other-ca");
        cluster = new TestCluster(1, 0);
        SessionServer session = cluster.addSession(c -> c.withClientRpc(c.clientRpc()
                .withTls(TlsSettings.server(cert, certs.key("session")))));
        cluster.awaitStable();

        RegistryClient trusted = client(session, ca);
        RecordingObserver sees = new RecordingObserver();
        trusted.subscribe(ID, sees);
        trusted.publish(ID, List.of("10.0.0.1:1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.0.0.1:1").equals(sees.lastValues()));

        RegistryClient plain = client(session, null);
        assertThatThrownBy(() -> plain.publish(ID, List.of("10.6.6.6:1"))).isInstanceOf(RegistryException.class);
        RegistryClient wrongCa = client(session, otherCa);
        assertThatThrownBy(() -> wrongCa.publish(ID, List.of("10.6.6.7:1"))).isInstanceOf(RegistryException.class);
        assertThat(cluster.leaderDatum(ID).values()).containsExactly("10.0.0.1:1");
        assertThat(sees.lastValues()).containsExactly("10.0.0.1:1");
    }

    @Test
    void aRenewedCertificateIsReadWithoutRestartAndABrokenOneIsNot() throws Exception {
        TestCertificates certs = new TestCertificates(dir);
        certs.ca("ca-one");
        Path one = certs.signed("one", "ca-one");
        Path live = dir.resolve("live.pem");
        Path liveKey = dir.resolve("live.key");
        Files.copy(one, live);
        Files.copy(certs.key("one"), liveKey);
        TlsContext tls = TlsContext.forServer(TlsSettings.server(live, liveKey));
        assertThat(handshakes(tls, dir.resolve("ca-one.pem"))).isTrue();
        assertThat(tls.reloadIfChanged()).as("nothing changed").isFalse();

        certs.ca("ca-two");
        Path two = certs.signed("two", "ca-two");
        Files.copy(two, live, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(certs.key("two"), liveKey, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(live, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(handshakes(tls, dir.resolve("ca-two.pem"))).as("the renewed certificate is served").isTrue();
        assertThat(handshakes(tls, dir.resolve("ca-one.pem"))).isFalse();

        Files.writeString(liveKey, "not a key");
        Files.setLastModifiedTime(liveKey, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        assertThat(tls.reloadIfChanged()).as("broken: the previous files stay").isFalse();
        assertThat(handshakes(tls, dir.resolve("ca-two.pem"))).isTrue();
        assertThatThrownBy(() -> TlsContext.forServer(TlsSettings.server(live, liveKey)))
                .hasMessageContaining("PKCS#8").hasMessageNotContaining("BEGIN PRIVATE KEY-----\nMII");
    }

    /** One TLS handshake between the server context and a client trusting {@code ca}, over loopback. */
    private static boolean handshakes(TlsContext server, Path ca) throws Exception {
        javax.net.ssl.SSLContext clientSsl = TlsContext.forClient(TlsSettings.client(ca)).sslContext();
        try (javax.net.ssl.SSLServerSocket listener = (javax.net.ssl.SSLServerSocket) server.sslContext()
                .getServerSocketFactory().createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) listener.accept()) {
                    s.startHandshake();
                } catch (java.io.IOException e) {
                    // the client refused the certificate
                }
            }, "tls-test-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            try (javax.net.ssl.SSLSocket client = (javax.net.ssl.SSLSocket) clientSsl.getSocketFactory()
                    .createSocket("127.0.0.1", listener.getLocalPort())) {
                javax.net.ssl.SSLParameters p = client.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                client.setSSLParameters(p);
                client.startHandshake();
                return true;
            } catch (javax.net.ssl.SSLException e) {
                return false;
            } finally {
                acceptor.join(5_000);
            }
        }
    }
}
