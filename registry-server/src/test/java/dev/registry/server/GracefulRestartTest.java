package dev.registry.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The launcher as its own process, stopped the way operators and service managers stop it
 * (SIGTERM), restarted on the same embedded database: the stopping meta releases its leader
 * lease before the database closes, so the restarted meta leads at once instead of waiting
 * for its old lease to run out (issue 15).
 */
class GracefulRestartTest {
    /** Far longer than any start-up: a restart that had to wait for the old lease could not meet the bounds below. */
    private static final Duration META_LEASE = Duration.ofSeconds(40);
    private static final Pattern ADMIN_PORTS = Pattern.compile("(meta|session) +\\S+ :\\d+ +admin http :(\\d+)");

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Launched server;

    private record Launched(Process process, Path log) {
        String output() throws IOException {
            return Files.readString(log);
        }
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        if (server != null && server.process().isAlive()) {
            server.process().destroyForcibly();
            server.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigtermReleasesTheLeaseAndARestartLeadsWithoutWaitingForIt() throws Exception {
        String dbUrl = "jdbc:h2:file:" + dir.resolve("meta") + ";AUTO_SERVER=TRUE";

        server = launch(dbUrl, "first");
        int[] first = awaitReady(server);
        server.process().destroy(); // SIGTERM
        assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as("stops after SIGTERM").isTrue();
        assertThat(server.process().exitValue()).as("exit status (128 + SIGTERM); output:\n%s", server.output())
                .isEqualTo(143);
        assertThat(server.output()).contains("stopping (SIGTERM)", "stops leading term")
                .doesNotContain("could not release");
        assertThat(leaseExpiresInMillis(dbUrl)).as("the lease was released").isNegative();

        long restartedAt = System.nanoTime();
        server = launch(dbUrl, "restart");
        int[] second = awaitReady(server);
        assertThat(Duration.ofNanos(System.nanoTime() - restartedAt))
                .as("ready well within the old lease of %s", META_LEASE).isLessThan(META_LEASE.dividedBy(2));
        assertThat(get(second[0], "/api/v1/leader")).contains("\"leader\" : true").contains("\"term\" : 2");
        assertThat(second[0]).as("a new meta process").isNotEqualTo(first[0]);
    }

    /** Starts the launcher with every port free, its output going to a file of its own. */
    private Launched launch(String dbUrl, String name) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                RegistryServerMain.class.getName(), "--meta-port", "0", "--meta-http-port", "0", "--data-port", "0",
                "--data-http-port", "0", "--session-port", "0", "--session-http-port", "0", "--sofa-bolt-port", "-1",
                "--slots", "16", "--meta-db-url", dbUrl, "--meta-lease-millis", "" + META_LEASE.toMillis(),
                "--meta-renew-millis", "2000");
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        return new Launched(p, log);
    }

    /** Waits for the session's readiness; returns {meta admin port, session admin port}. */
    private int[] awaitReady(Launched launched) {
        int[] ports = new int[2];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(launched.process().isAlive()).as("alive; output:\n%s", launched.output()).isTrue();
            Matcher m = ADMIN_PORTS.matcher(launched.output());
            while (m.find()) {
                ports[m.group(1).equals("meta") ? 0 : 1] = Integer.parseInt(m.group(2));
            }
            assertThat(ports[1]).as("session admin port printed").isPositive();
            assertThat(status(ports[1], "/health/ready")).isEqualTo(200);
        });
        return ports;
    }

    private int status(int port, String path) throws Exception {
        return http.send(request(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String get(int port, String path) throws Exception {
        return http.send(request(port, path), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
    }

    /** The lease row's expiry minus the database's now: negative once released or expired. */
    private static long leaseExpiresInMillis(String dbUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl, "sa", "");
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT expires_at_ms - EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 "
                     + "FROM registry_meta_lease")) {
            assertThat(r.next()).isTrue();
            return r.getLong(1);
        }
    }
}
