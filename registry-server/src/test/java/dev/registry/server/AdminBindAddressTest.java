package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code --admin-host}: the admin HTTP ports listen on their own address, the client and RPC ports on --host. */
class AdminBindAddressTest {
    private static final String ADMIN_HOST = "127.0.0.2"; // another loopback address, present on Linux
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private RegistryNode node;
    private RegistryClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private HttpResponse<String> get(String host, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void adminPortsListenOnlyOnTheAdminHost() throws Exception {
        node = RegistryNode.start(RegistryServerMain.configure(Map.of(), "--meta-port", "0", "--meta-http-port", "0",
                "--data-port", "0", "--data-http-port", "0", "--session-port", "0", "--session-http-port", "0",
                "--slots", "16", "--admin-host", ADMIN_HOST).toSettings());
        int sessionAdmin = node.session().adminPort();
        await().atMost(Duration.ofSeconds(15)).until(() -> get(ADMIN_HOST, sessionAdmin, "/health/ready").statusCode() == 200);
        for (int port : List.of(node.meta().adminPort(), node.data().adminPort(), sessionAdmin)) {
            assertThat(get(ADMIN_HOST, port, "/health").statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> get("127.0.0.1", port, "/health")).isInstanceOf(ConnectException.class);
        }
        // Clients still reach the session on --host.
        client = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:" + node.session().port()).build());
        client.publish(DataInfoId.of("admin-host"), List.of("10.0.0.1:1"));
        assertThat(get(ADMIN_HOST, sessionAdmin, "/api/v1/datum?dataId=admin-host").body()).contains("10.0.0.1:1");
    }
}
