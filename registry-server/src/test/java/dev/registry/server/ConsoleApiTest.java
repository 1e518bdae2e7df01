package dev.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console's server side (docs/console.md), without a browser: its static route on the
 * session's and meta's admin ports (content types, 404, no traversal) and the JSON endpoints the
 * console reads, {@code /api/v1/catalog} (paging, filters, bad input) and the session's
 * {@code /api/v1/members}.
 */
class ConsoleApiTest {
    private static final String GROUP = "CONSOLE_API";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedRegistry registry;
    private static RegistryClient client;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() {
        registry = EmbeddedRegistry.start(false, "--admin-token", "tok", "--meta-http-port", "0");
        client = RegistryClient.start(RegistryClientConfig.builder(registry.servers()).build());
        for (int i = 0; i < 12; i++) {
            client.publish(DataInfoId.of(String.format("svc-%02d", i), GROUP, null), List.of("10.0.0." + i + ":80"));
        }
        client.publish(DataInfoId.of("svc-00", GROUP, null), List.of("10.0.1.0:80")); // a second publisher
        client.publish(DataInfoId.of("other", "OTHER_GROUP", null), List.of("10.0.9.9:80"));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static HttpResponse<String> get(int port, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void theCatalogPagesWithTheCursorAndFilters() throws Exception {
        int port = registry.adminPort();
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            HttpResponse<String> r = get(port, "/api/v1/catalog?group=" + GROUP + "&prefix=svc-&limit=5"
                    + (after == null ? "" : "&after=" + enc(after)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
            JsonNode page = json(r);
            assertThat(page.get("ids").size()).isLessThanOrEqualTo(5);
            page.get("ids").forEach(id -> seen.add(id.get("dataId").asText()));
            after = page.get("more").asBoolean() ? page.get("next").asText() : null;
            if (after == null) {
                assertThat(page.get("next").isNull()).isTrue();
            }
            pages++;
        } while (after != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            expected.add(String.format("svc-%02d", i));
        }
        assertThat(seen).isEqualTo(expected);

        JsonNode one = json(get(port, "/api/v1/catalog?group=" + GROUP + "&prefix=svc-00"));
        assertThat(one.get("ids")).hasSize(1);
        JsonNode id = one.get("ids").get(0);
        assertThat(id.get("dataId").asText()).isEqualTo("svc-00");
        assertThat(id.get("group").asText()).isEqualTo(GROUP);
        assertThat(id.get("instanceId").asText()).isNotEmpty();
        assertThat(id.get("dataInfoId").asText()).isEqualTo(DataInfoId.of("svc-00", GROUP, null).canonical());
        assertThat(id.get("publishers").asInt()).isEqualTo(2);
        assertThat(one.get("more").asBoolean()).isFalse();

        // Without filters: every group, default limit 100.
        JsonNode all = json(get(port, "/api/v1/catalog"));
        assertThat(all.get("ids")).hasSize(13);
        assertThat(all.findValuesAsText("dataId")).contains("other");
    }

    @Test
    void badCatalogInputIsA400WithAClearMessage() throws Exception {
        int port = registry.adminPort();
        for (String[] c : new String[][]{
                {"limit=0", "'limit' must be in [1, 1000]"},
                {"limit=1001", "'limit' must be in [1, 1000]"},
                {"limit=ten", "'limit' must be an integer"},
                {"after=no-separators", "dataInfoId must have the form"},
                {"group=" + "g".repeat(300), "'group' is longer than 256"},
                {"prefix=%01x", "'prefix' must not contain control characters"}}) {
            HttpResponse<String> r = get(port, "/api/v1/catalog?" + c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(r).get("error").asText()).as(c[0]).contains(c[1]);
        }
    }

    @Test
    void theSessionsMembersComeFromItsLastHeartbeat() throws Exception {
        JsonNode m = json(get(registry.adminPort(), "/api/v1/members"));
        var session = registry.node().session();
        assertThat(m.get("source").asText()).isEqualTo("session");
        assertThat(m.get("self").asText()).isEqualTo(session.sessionId());
        assertThat(m.get("slotTableEpoch").asLong()).isPositive();
        assertThat(m.get("dataServers")).hasSize(1);
        JsonNode data = m.get("dataServers").get(0);
        assertThat(data.get("state").asText()).isEqualTo("UP");
        assertThat(data.get("slotsLed").asInt()).isEqualTo(16);
        assertThat(data.get("connected").asBoolean()).isTrue();
        assertThat(m.get("sessionServers")).hasSize(1);
        JsonNode self = m.get("sessionServers").get(0);
        assertThat(self.get("address").asText()).isEqualTo(session.sessionId());
        assertThat(self.get("self").asBoolean()).isTrue();
        assertThat(self.get("clientConnections").asInt()).isEqualTo(1);
        assertThat(self.get("adminAddress").asText()).endsWith(":" + registry.adminPort());
        assertThat(m.get("metaServers")).hasSize(1);
        assertThat(m.get("metaServers").get(0).get("state").asText()).isEqualTo("LEADER");
        assertThat(m.get("pushPaused").asBoolean()).isFalse();
    }

    @Test
    void theConsoleIsServedWithContentTypesOnSessionAndMeta() throws Exception {
        for (int port : new int[]{registry.adminPort(), registry.node().meta().adminPort()}) {
            HttpResponse<String> index = get(port, "/console/");
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(index.headers().firstValue("Content-Security-Policy")).get().asString().contains("script-src 'self'");
            assertThat(index.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(index.body()).contains("<script src=\"console.js\"");
            assertThat(get(port, "/console/index.html").body()).isEqualTo(index.body());
            assertThat(get(port, "/console/console.js").headers().firstValue("Content-Type"))
                    .hasValue("text/javascript; charset=utf-8");
            assertThat(get(port, "/console/console.css").headers().firstValue("Content-Type"))
                    .hasValue("text/css; charset=utf-8");
            assertThat(get(port, "/console/icon.svg").headers().firstValue("Content-Type")).hasValue("image/svg+xml");
            HttpResponse<String> bare = get(port, "/console");
            assertThat(bare.statusCode()).isEqualTo(301);
            assertThat(bare.headers().firstValue("Location")).hasValue("/console/");
            assertThat(get(port, "/console/nope.js").statusCode()).isEqualTo(404);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/console/console.js"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(405);
        }
    }

    @Test
    void onlyPlainFileNamesOfTheConsoleFolderAreServed() throws Exception {
        int port = registry.adminPort();
        // Classpath files outside console/, other extensions, folders and encoded traversals: all 404.
        for (String path : List.of("/console/logback.xml", "/console/../logback.xml", "/console/..%2Flogback.xml",
                "/console/%2e%2e/%2e%2e/etc/passwd", "/console/Index.html", "/console/index.html.bak",
                "/console/sub/index.html", "/console/.html", "/console/index.htm", "/console/%00.js",
                "/console/dev/registry/common/admin/AdminHttpServer.class")) {
            HttpResponse<String> r = rawGet(port, path);
            assertThat(r == null ? 404 : r.statusCode()).as(path).isEqualTo(404);
        }
        // A raw request line (no client-side normalisation of "..").
        String raw = rawRequest(port, "GET /console/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(raw).doesNotContain("root:");
        assertThat(raw).startsWith("HTTP/1.1 404");
    }

    private static HttpResponse<String> rawGet(int port, String path) throws Exception {
        try {
            return get(port, path);
        } catch (IllegalArgumentException e) {
            return null; // a path the client will not even send
        }
    }

    private static String rawRequest(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
