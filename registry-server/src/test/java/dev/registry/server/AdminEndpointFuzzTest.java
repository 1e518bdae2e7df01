package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.meta.store.TestDatabases;
import dev.registry.session.SessionServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Property-based fuzzing of the real admin endpoints of every role (meta, data, session) in a
 * running cluster: random query strings, with the parameter names the endpoints read and
 * random, percent-encoded, badly escaped or huge values, sent as raw HTTP requests (so no
 * client library cleans them up first). Reads answer 200, 400 or 404 with a JSON error, never
 * a 5xx; mutations without the right token are refused with 401 and change nothing; with the
 * token, bad parameters are a 400. Afterwards every role still serves, and a client's publish
 * still reaches a subscriber.
 */
class AdminEndpointFuzzTest {
    private static final List<String> NAMES = List.of("dataId", "group", "instanceId", "page", "size", "ip",
            "level", "logger", "timeout", "x");
    private static final List<String> READS = List.of("/health", "/health/ready", "/metrics", "/api/v1/version",
            "/api/v1/slot-table", "/api/v1/leader", "/api/v1/members", "/api/v1/switches", "/api/v1/slots",
            "/api/v1/servers", "/api/v1/datum", "/api/v1/datum/local", "/api/v1/data-infos", "/api/v1/client-off",
            "/api/v1/connections", "/no/such/endpoint");
    private static final List<String> MUTATIONS = List.of("/api/v1/client-off", "/api/v1/client-on",
            "/api/v1/push/stop", "/api/v1/push/resume", "/api/v1/drain", "/api/v1/log-level");

    private static Path databaseDir;
    private static TestCluster cluster;
    private static SessionServer session;
    private static RecordingObserver watcher;
    private static RegistryClient publisher;
    /** The state before the fuzzing, but for the switch version (client-off, then on again, raises it by two). */
    private static String stateBefore;
    private static int published;

    @BeforeContainer
    static void start() throws IOException {
        // A meta on a database: the in-memory meta of the smallest test cluster has no admin token.
        databaseDir = Files.createTempDirectory("admin-fuzz-meta");
        cluster = new TestCluster(TestDatabases.h2File(databaseDir), 1, 2, 1);
        session = cluster.sessions.get(0);
        watcher = new RecordingObserver();
        cluster.client(session).subscribe(DataInfoId.of("svc.admin-fuzz"), watcher);
        publisher = cluster.client(session);
        stillServesClients();
        stateBefore = withoutVersion(readState());
    }

    @AfterContainer
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (databaseDir != null) {
            try (Stream<Path> files = Files.walk(databaseDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static List<Integer> adminPorts() {
        return List.of(cluster.meta.adminPort(), cluster.data.get(0).adminPort(), session.adminPort());
    }

    /** A publish is pushed to the subscriber: the cluster behind the admin ports still works. */
    private static void stillServesClients() {
        String value = "10.5.0.1:" + (++published);
        publisher.publish(DataInfoId.of("svc.admin-fuzz"), List.of(value));
        await().atMost(Duration.ofSeconds(15)).until(() -> watcher.lastValues() != null
                && watcher.lastValues().contains(value));
    }

    /**
     * What a mutation would change: meta's switches (with their version, which every accepted
     * switch change raises), the session's client-off list, readiness of each role.
     */
    private static String readState() {
        StringBuilder state = new StringBuilder(raw(cluster.meta.adminPort(), "GET", "/api/v1/switches", null).body);
        state.append(raw(session.adminPort(), "GET", "/api/v1/client-off", null).body);
        for (int port : adminPorts()) {
            state.append(raw(port, "GET", "/health/ready", null).status);
        }
        return state.toString();
    }

    private static String withoutVersion(String state) {
        return state.replaceFirst("\"version\" : \\d+", "");
    }

    record Answer(int status, String body) {
    }

    /** One raw HTTP/1.1 request; status -1 if the server closed without a status line. */
    private static Answer raw(int port, String method, String target, String token) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\nConnection: close\r\n");
            if (token != null) {
                request.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            if (method.equals("POST")) {
                request.append("Content-Length: 0\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!response.startsWith("HTTP/1.1 ")) {
                return new Answer(-1, response);
            }
            int status = Integer.parseInt(response.substring(9, 12));
            int bodyAt = response.indexOf("\r\n\r\n");
            return new Answer(status, bodyAt < 0 ? "" : response.substring(bodyAt + 4));
        } catch (IOException e) {
            throw new AssertionError("admin port " + port + " did not answer " + method + " " + target + ": " + e, e);
        }
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40).map(AdminEndpointFuzzTest::percentEncode),
                Arbitraries.strings().withChars("%&=#@+;/?ab0-9.:").ofMaxLength(30), // bad escapes, separators
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("0", "-1", "999999999999999999999", "1e3", "NaN", "", "127.0.0.1", "::1",
                        "256.1.1.1", "a#@#b", "DEFAULT_GROUP", "DEBUG", "ROOT", "%", "%C3", "%zz", "%00"),
                Arbitraries.strings().alpha().ofLength(5_000)); // longer than any sensible value
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> pair = Combinators.combine(Arbitraries.of(NAMES), values()).as((k, v) -> k + "=" + v);
        return pair.list().ofMaxSize(4).map(pairs -> String.join("&", pairs));
    }

    private static String percentEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '-' || c == '_') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    @Property(tries = 300)
    void readsAnswerWithoutAServerError(@ForAll("queries") String query, @ForAll("roles") int role,
                                        @ForAll("reads") String path) {
        Answer a = raw(adminPorts().get(role), "GET", path + "?" + query, null);
        assertThat(a.status()).as("GET %s?%s on %s: %s", path, query, role, a.body()).isIn(200, 400, 404, 405);
        if (a.status() == 404 || a.status() == 405) {
            assertThat(a.body()).as("a JSON error").contains("\"error\"");
        } // a 400 is ours (JSON) or, for a request target that is no URI at all, the JDK HTTP server's own
    }

    @Property(tries = 150)
    void mutationsWithoutTheRightTokenAreRefusedAndChangeNothing(@ForAll("queries") String query,
                                                                 @ForAll("roles") int role,
                                                                 @ForAll("mutations") String path,
                                                                 @ForAll("wrongTokens") String token) {
        String before = readState();
        Answer a = raw(adminPorts().get(role), "POST", path + "?" + query, token.equals("<none>") ? null : token);
        if (a.status() == 400) {
            // Only a request target that is no URI at all, refused by the JDK HTTP server before any handler.
            assertThat(a.body()).as("POST %s?%s on %s", path, query, role).contains("URISyntaxException");
        } else {
            assertThat(a.status()).as("POST %s?%s on %s: %s", path, query, role, a.body()).isIn(401, 404);
        }
        assertThat(a.body()).doesNotContain(TestCluster.ADMIN_TOKEN);
        assertThat(readState()).as("nothing changed, not even the switch version").isEqualTo(before);
    }

    /** With the token, the ip of client-off / client-on is parsed: a bad one is a 400, a good one is undone. */
    @Property(tries = 100)
    void clientOffParsesItsIpAndNeverFailsWithAServerError(@ForAll("values") String ip, @ForAll boolean onMeta) {
        int port = onMeta ? cluster.meta.adminPort() : session.adminPort();
        Answer off = raw(port, "POST", "/api/v1/client-off?ip=" + ip, TestCluster.ADMIN_TOKEN);
        assertThat(off.status()).as("client-off ip=%s: %s", ip, off.body()).isIn(200, 400);
        if (off.status() == 200) {
            Answer on = raw(port, "POST", "/api/v1/client-on?ip=" + ip, TestCluster.ADMIN_TOKEN);
            assertThat(on.status()).as("client-on ip=%s: %s", ip, on.body()).isEqualTo(200);
        }
    }

    @Provide
    Arbitrary<Integer> roles() {
        return Arbitraries.integers().between(0, 2);
    }

    @Provide
    Arbitrary<String> reads() {
        return Arbitraries.of(READS);
    }

    @Provide
    Arbitrary<String> mutations() {
        return Arbitraries.of(MUTATIONS);
    }

    @Provide
    Arbitrary<String> wrongTokens() {
        return Arbitraries.oneOf(Arbitraries.just("<none>"), Arbitraries.strings().alpha().ofMaxLength(20)
                .filter(t -> !t.equals(TestCluster.ADMIN_TOKEN)), Arbitraries.just(TestCluster.ADMIN_TOKEN + "x"),
                Arbitraries.just(TestCluster.ADMIN_TOKEN.substring(1)));
    }

    @AfterProperty
    void everyRoleStillServesAndNothingChanged() {
        for (int port : adminPorts()) {
            assertThat(raw(port, "GET", "/health", null).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(withoutVersion(readState())).isEqualTo(stateBefore));
        stillServesClients();
    }
}
