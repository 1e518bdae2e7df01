package dev.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import dev.registry.server.cli.RegistryCli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's CLI (issue 20) against a real all-in-one registry: what it prints and its exit codes. */
class OperatorCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private EmbeddedRegistry registry;
    private RegistryClient client;
    private Path token;

    @BeforeEach
    void start() throws Exception {
        registry = EmbeddedRegistry.start(false, "--meta-http-port", "0", "--admin-token", "s3cret-token");
        client = RegistryClient.start(RegistryClientConfig.builder(registry.servers()).build());
        client.publish(DataInfoId.of("orders"), List.of("10.0.0.1:8080"));
        client.publish(DataInfoId.of("orders"), List.of("10.0.0.2:8080"));
        client.publish(DataInfoId.of("payments", "PROD", null), List.of("10.0.0.3:8080"));
        token = dir.resolve("token");
        Files.writeString(token, "s3cret-token\n");
    }

    @AfterEach
    void stop() {
        client.close();
        registry.close();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RegistryCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String session() {
        return "http://127.0.0.1:" + registry.adminPort();
    }

    @Test
    void looksAtTheCatalogTheListsAndTheMembers() throws Exception {
        Run services = cli("services", "--servers", registry.servers());
        assertThat(services.code()).isZero();
        assertThat(services.out()).contains("DATA ID").containsPattern("orders\\s+DEFAULT_GROUP\\s+DEFAULT_INSTANCE_ID\\s+2")
                .containsPattern("payments\\s+PROD\\s+DEFAULT_INSTANCE_ID\\s+1");
        JsonNode prod = JSON.readTree(cli("services", "--servers", registry.servers(), "--group", "PROD", "--json").out());
        assertThat(prod).hasSize(1);
        assertThat(prod.get(0).path("dataId").asText()).isEqualTo("payments");

        Run get = cli("get", "--servers", registry.servers(), "--data-id", "orders");
        assertThat(get.code()).isZero();
        assertThat(get.out()).contains("10.0.0.1:8080", "10.0.0.2:8080", "2 values");

        Run members = cli("members", "--admin", "http://127.0.0.1:" + registry.node().meta().adminPort());
        assertThat(members.code()).isZero();
        assertThat(members.out()).contains("meta", "LEADER", "data", "session");
        Run slots = cli("slots", "--admin", session(), "--json");
        assertThat(JSON.readTree(slots.out()).path("slots")).hasSize(16);
        assertThat(cli("connections", "--admin", session()).out()).contains("CONNECTION", "1 connections");
    }

    @Test
    void actionsNeedTheTokenAndTakeEffectWithIt() {
        Run refused = cli("push", "stop", "--admin", session());
        assertThat(refused.code()).isEqualTo(3);
        assertThat(refused.err()).contains("needs the admin token");
        assertThat(registry.node().session().isPushPaused()).isFalse();

        Run stopped = cli("push", "stop", "--admin", session(), "--token-file", token.toString());
        assertThat(stopped.code()).isZero();
        assertThat(stopped.out()).contains("pushes stopped");
        assertThat(registry.node().session().isPushPaused()).isTrue();
        assertThat(cli("push", "resume", "--admin", session(), "--token-file", token.toString()).code()).isZero();
        assertThat(registry.node().session().isPushPaused()).isFalse();

        assertThat(cli("client-off", "10.9.9.9", "--admin", session(), "--token-file", token.toString()).code()).isZero();
        assertThat(cli("client-on", "10.9.9.9", "--admin", session(), "--token-file", token.toString()).code()).isZero();
        Run badIp = cli("client-off", "10.0.0.999", "--admin", session(), "--token-file", token.toString());
        assertThat(badIp.code()).isEqualTo(1);
        assertThat(badIp.err()).contains("10.0.0.999");
    }

    @Test
    void badUsageAndUnreachableNodesHaveTheirOwnExitCodes() {
        assertThat(cli("push", "pause", "--admin", session()).code()).isEqualTo(2);
        assertThat(cli("drain", "session", "127.0.0.1:" + registry.node().meta().adminPort(), "--token-file",
                token.toString()).code()).as("not a session").isEqualTo(2);
        assertThat(cli("nonsense").code()).isEqualTo(2);
        assertThat(cli("members", "--admin", "http://127.0.0.1:1").code()).isEqualTo(4);
        Run completion = cli("generate-completion");
        assertThat(completion.code()).isZero();
        assertThat(completion.out()).contains("registry-cli", "complete");
    }
}
