package dev.registry.server;

import com.alipay.sofa.registry.client.provider.DirectServerManager;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.tls.TlsContext;
import dev.registry.common.tls.TlsSettings;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A session with a client-port certificate speaks TLS on its Bolt port too (issue 17).
 * SOFARegistry's stock client has no TLS of its own (bolt 1.6.2): it reaches such a session
 * through a local TLS tunnel (here a small one in the test; stunnel or a proxy in production)
 * with its stock {@code DirectServerManager}, while plaintext to the port gets nothing.
 */
class SofaTlsTest {
    static {
        SofaTestClient.quietSofaLogging();
    }

    private static final Duration STARTUP = Duration.ofSeconds(15);
    @TempDir
    Path dir;
    private TestCluster cluster;
    private TlsTunnel tunnel;
    private final List<SofaTestClient> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        clients.forEach(SofaTestClient::close);
        if (tunnel != null) {
            tunnel.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theStockClientGetsInThroughATlsTunnelAndPlaintextDoesNot() throws Exception {
        TestCertificates certs = new TestCertificates(dir);
        Path ca = certs.ca("cluster-ca");
        Path cert = certs.signed("session", "cluster-ca");
        cluster = new TestCluster(1, 0);
        SessionServer session = cluster.addSession(c -> c.withSofaBoltPort(0).withClientRpc(c.clientRpc()
                .withTls(TlsSettings.server(cert, certs.key("session")))));
        cluster.awaitStable();

        tunnel = new TlsTunnel(TlsContext.forClient(TlsSettings.client(ca)), session.sofaBoltPort());
        java.util.function.Consumer<com.alipay.sofa.registry.client.provider.DefaultRegistryClient> direct =
                c -> c.setServerManager(new DirectServerManager(SofaTestClient.config(tunnel.port())));
        SofaTestClient client = new SofaTestClient(tunnel.port(), direct);
        clients.add(client);
        SofaTestClient.Recorder watcher = client.subscribe("svc.sofa.tls");
        client.publish("svc.sofa.tls", "10.0.0.1:12200");
        await().atMost(STARTUP).until(() -> watcher.shows("10.0.0.1:12200"));
        assertThat(cluster.leaderDatum(DataInfoId.of("svc.sofa.tls")).values()).containsExactly("10.0.0.1:12200");
        assertThat(tunnel.connections).isPositive();

        // Plaintext Bolt (a heartbeat frame's first bytes) is not a TLS record: the session closes the connection.
        try (Socket plain = new Socket("127.0.0.1", session.sofaBoltPort())) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(new byte[] {1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
            plain.getOutputStream().flush();
            assertThat(readUntilClosed(plain.getInputStream())).as("no Bolt answer in clear").isZero();
        }
        assertThat(watcher.last()).containsExactly("10.0.0.1:12200");
    }

    /** Bytes read before the peer closed (a TLS alert counts as bytes; a Bolt response would too, so allow only an alert). */
    private static int readUntilClosed(InputStream in) throws IOException {
        int n = 0;
        byte[] buf = new byte[256];
        for (int r; (r = in.read(buf)) >= 0; ) {
            if (r > 0 && buf[0] != 0x15) { // 0x15: a TLS alert record
                n += r;
            }
        }
        return n;
    }

    /** Plain TCP on a local port, TLS (verifying the session's certificate and host name) to the Bolt port. */
    static final class TlsTunnel implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Thread acceptor;
        volatile int connections;

        TlsTunnel(TlsContext tls, int targetPort) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket local = server.accept();
                        SSLSocket remote = (SSLSocket) tls.sslContext().getSocketFactory()
                                .createSocket("127.0.0.1", targetPort);
                        SSLParameters p = remote.getSSLParameters();
                        p.setEndpointIdentificationAlgorithm("HTTPS");
                        remote.setSSLParameters(p);
                        remote.startHandshake();
                        sockets.add(local);
                        sockets.add(remote);
                        connections++;
                        pump(local, remote);
                        pump(remote, local);
                    } catch (IOException e) {
                        // closed, or a failed handshake: the local side sees its connection closed
                    }
                }
            }, "tls-tunnel-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // one side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "tls-tunnel-pump");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            sockets.forEach(TlsTunnel::closeQuietly);
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
