package dev.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registry.server.cli.RegistryCli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The all-in-one launcher on free ports, its admin endpoints, and the CLI driven in-process. */
class LauncherAndCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private RegistryNode node;
    private ExecutorService cliThreads;

    @BeforeEach
    void startAllInOne() {
        RegistryServerMain main = new RegistryServerMain();
        new CommandLine(main).parseArgs("--meta-port", "0", "--meta-http-port", "0", "--data-port", "0",
                "--data-http-port", "0", "--session-port", "0", "--session-http-port", "0", "--slots", "32");
        node = RegistryNode.start(main.toSettings());
        cliThreads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() throws InterruptedException {
        cliThreads.shutdownNow();
        cliThreads.awaitTermination(10, TimeUnit.SECONDS);
        if (node != null) {
            node.close();
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void launcherBecomesReadyAndServesAdminEndpoints() throws Exception {
        int sessionHttp = node.session().adminPort();
        await().atMost(Duration.ofSeconds(15)).until(() -> get(sessionHttp, "/health/ready").statusCode() == 200);
        assertThat(get(sessionHttp, "/health").statusCode()).isEqualTo(200);
        assertThat(get(node.meta().adminPort(), "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(node.data().adminPort(), "/health/ready").statusCode()).isEqualTo(200);

        JsonNode table = JSON.readTree(get(node.meta().adminPort(), "/api/v1/slot-table").body());
        assertThat(table.get("epoch").asLong()).isPositive();
        assertThat(table.get("slots")).hasSize(32);
        assertThat(table.get("slots").get(0).get("leader").asText()).isEqualTo(node.data().address());

        HttpResponse<String> missing = get(sessionHttp, "/api/v1/datum");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("dataId");
        assertThat(get(sessionHttp, "/api/v1/datum?dataId=bad%23%40%23id").statusCode()).isEqualTo(400);
        assertThat(get(sessionHttp, "/no/such/path").statusCode()).isEqualTo(404);
        assertThat(get(sessionHttp, "/metrics").body()).contains("registry_session_publishers");
    }

    @Test
    void theRolesReachEachOtherInProcessAndClientsStillBySocket() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> get(node.session().adminPort(), "/health/ready").statusCode() == 200);
        assertThat(dev.registry.common.rpc.InProcessLinks.serves("127.0.0.1", node.data().port())).isTrue();
        assertThat(dev.registry.common.rpc.InProcessLinks.serves("127.0.0.1", node.meta().port())).isTrue();
        assertThat(dev.registry.common.rpc.InProcessLinks.serves("127.0.0.1", node.session().port()))
                .as("the client port stays a socket").isFalse();

        dev.registry.client.RegistryClient client = dev.registry.client.RegistryClient.start(
                dev.registry.client.RegistryClientConfig.builder("127.0.0.1:" + node.session().port()).appName("inproc").build());
        try {
            RecordingObserver observer = new RecordingObserver();
            client.subscribe(dev.registry.common.model.DataInfoId.of("inproc.svc"), observer);
            List<java.util.concurrent.CompletableFuture<dev.registry.client.Publication>> published = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                published.add(client.publishAsync(dev.registry.common.model.DataInfoId.of("inproc.svc"),
                        List.of("10.9." + (i / 200) + "." + (i % 200) + ":80")));
            }
            java.util.concurrent.CompletableFuture.allOf(published.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.lastValues() != null
                    && observer.lastValues().size() == 300);
            published.get(0).join().unregister();
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.lastValues().size() == 299);
        } finally {
            client.close();
        }
        int dataPort = node.data().port();
        RegistryNode stopping = node;
        node = null;
        stopping.close();
        assertThat(dev.registry.common.rpc.InProcessLinks.serves("127.0.0.1", dataPort)).as("gone with the node").isFalse();
    }

    @Test
    void cliPublishesAndSubscribesAgainstTheLauncher() throws Exception {
        String servers = "127.0.0.1:" + node.session().port();
        await().atMost(Duration.ofSeconds(15)).until(() -> get(node.session().adminPort(), "/health/ready").statusCode() == 200);

        ByteArrayOutputStream subOut = new ByteArrayOutputStream();
        Future<Integer> subscriber = cliThreads.submit(() -> RegistryCli.run(new PrintStream(subOut, true),
                new PrintStream(new ByteArrayOutputStream()), "subscribe", "--servers", servers, "--data-id", "demo",
                "--seconds", "20"));
        await().atMost(Duration.ofSeconds(10)).until(() -> subOut.toString(StandardCharsets.UTF_8).contains("\"values\":[]"));

        ByteArrayOutputStream pubOut = new ByteArrayOutputStream();
        Future<Integer> publisher = cliThreads.submit(() -> RegistryCli.run(new PrintStream(pubOut, true),
                new PrintStream(new ByteArrayOutputStream()), "publish", "--servers", servers, "--data-id", "demo",
                "--value", "10.0.0.1:8080", "--hold-seconds", "2"));
        await().atMost(Duration.ofSeconds(10)).until(() -> pubOut.toString(StandardCharsets.UTF_8).contains("published 1 publisher"));
        await().atMost(Duration.ofSeconds(3)).until(() -> subOut.toString(StandardCharsets.UTF_8).contains("10.0.0.1:8080"));

        // The admin query sees it too.
        JsonNode datum = JSON.readTree(get(node.session().adminPort(), "/api/v1/datum?dataId=demo").body());
        assertThat(datum.get("values").get(0).asText()).isEqualTo("10.0.0.1:8080");
        assertThat(datum.get("publishers").get(0).get("appName").asText()).isEqualTo("registry-cli");

        // After the hold the publisher exits and closes its connection: the list empties.
        assertThat(publisher.get(20, TimeUnit.SECONDS)).isZero();
        await().atMost(Duration.ofSeconds(3)).until(() -> lastLine(subOut).contains("\"values\":[]"));
        List<JsonNode> lines = new ArrayList<>();
        for (String l : subOut.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(JSON.readTree(l));
        }
        assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
        assertThat(lines.get(0).get("dataId").asText()).isEqualTo("demo");
        assertThat(lines.get(0).get("group").asText()).isEqualTo("DEFAULT_GROUP");
        for (int i = 1; i < lines.size(); i++) {
            assertThat(lines.get(i).get("version").asLong()).isGreaterThan(lines.get(i - 1).get("version").asLong());
        }
        subscriber.cancel(true);
    }

    @Test
    void cliPublishesOnManyDataIds() throws Exception {
        String servers = "127.0.0.1:" + node.session().port();
        await().atMost(Duration.ofSeconds(15)).until(() -> get(node.session().adminPort(), "/health/ready").statusCode() == 200);
        ByteArrayOutputStream pubOut = new ByteArrayOutputStream();
        Future<Integer> publisher = cliThreads.submit(() -> RegistryCli.run(new PrintStream(pubOut, true),
                new PrintStream(new ByteArrayOutputStream()), "publish", "--servers", servers, "--data-id", "many",
                "--value", "v:1", "--data-ids", "20", "--hold-seconds", "5"));
        await().atMost(Duration.ofSeconds(15)).until(() -> pubOut.toString(StandardCharsets.UTF_8).contains("published 20 publisher"));
        for (int i = 0; i < 20; i++) {
            JsonNode datum = JSON.readTree(get(node.session().adminPort(), "/api/v1/datum?dataId=many." + i).body());
            assertThat(datum.get("values").get(0).asText()).isEqualTo("v:1");
        }
        publisher.cancel(true);
    }

    @Test
    void badArgumentsPrintUsageAndExitNonZero() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RegistryCli.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true),
                "publish", "--servers", "127.0.0.1:1");
        assertThat(code).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Missing required option").contains("Usage");

        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertThat(RegistryCli.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err2, true),
                "subscribe", "--servers", "nohostport", "--data-id", "x", "--seconds", "1")).isNotZero();
        assertThat(err2.toString(StandardCharsets.UTF_8)).contains("needs a port");

        assertThat(RegistryCli.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()),
                "frobnicate")).isNotZero();
    }

    private static String lastLine(ByteArrayOutputStream out) {
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        return lines[lines.length - 1];
    }
}
