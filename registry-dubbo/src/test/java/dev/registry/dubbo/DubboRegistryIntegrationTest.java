package dev.registry.dubbo;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import dev.registry.server.EmbeddedRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.apache.dubbo.rpc.model.FrameworkModel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real Dubbo 3.3 providers and consumers (each in its own framework model) against a real
 * all-in-one registry started by the test: at interface level and at application level, a
 * consumer calls the providers, reaches both of two, and its directory (what the registry
 * notified) drops a provider within 1 s of the provider starting to stop.
 */
class DubboRegistryIntegrationTest {
    private EmbeddedRegistry registry;
    private final List<DubboApp> apps = new ArrayList<>();
    private String address;

    @BeforeEach
    void startRegistry() {
        FrameworkModel.defaultModel(); // the consumers' framework; created first, it is Dubbo's default (see DubboApp)
        registry = EmbeddedRegistry.start();
        address = "sharded://127.0.0.1:" + registry.clientPort();
    }

    @AfterEach
    void stop() {
        for (int i = apps.size() - 1; i >= 0; i--) {
            apps.get(i).stop();
        }
        DubboApp.destroyAll();
        if (registry != null) {
            registry.close();
        }
        ThreadLeaks.assertNoneLeft();
    }

    private DubboApp track(DubboApp app) {
        apps.add(app);
        return app;
    }

    private static Set<String> callers(GreetingService greeting, int calls) {
        Set<String> from = new HashSet<>();
        for (int i = 0; i < calls; i++) {
            String answer = greeting.greet("dubbo");
            assertThat(answer).startsWith("hello dubbo from ");
            from.add(answer.substring("hello dubbo from ".length()));
        }
        return from;
    }

    /** Two providers, both reached; one stops: gone from the consumer within 1 s; then the other. */
    private void providersComeAndGo(String registerMode, String consumerRegistry) {
        DubboApp a = track(DubboApp.provider("greeting-provider", address, registerMode, "A"));
        DubboApp b = track(DubboApp.provider("greeting-provider", address, registerMode, "B"));
        DubboApp consumer = track(DubboApp.consumer("greeting-consumer", consumerRegistry));

        int addressA = a.port();
        int addressB = b.port();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(consumer.providerPorts()).containsExactlyInAnyOrder(addressA, addressB));
        assertThat(callers(consumer.greeting(), 20)).containsExactlyInAnyOrder("A", "B");

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(a::stop);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(consumer.providerPorts()).containsExactly(addressB));
        stopping.join();
        assertThat(callers(consumer.greeting(), 10)).containsExactly("B");

        stopping = CompletableFuture.runAsync(b::stop);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(consumer.providerPorts()).isEmpty());
        stopping.join();
    }

    @Test
    void interfaceLevelProvidersAreFoundAndLeaveWithinASecond() {
        providersComeAndGo("interface", address);
        try (RegistryClient client = RegistryClient.start(RegistryClientConfig.builder(
                "127.0.0.1:" + registry.clientPort()).build())) {
            // The consumer registered itself too (category consumers).
            assertThat(client.services("DUBBO_CONSUMERS")).extracting(DataInfoId::dataId)
                    .containsExactly(GreetingService.class.getName());
            assertThat(client.services("DUBBO_PROVIDERS")).isEmpty();
        }
    }

    @Test
    void applicationLevelInstancesAreFoundThroughTheMappingAndLeaveWithinASecond() {
        providersComeAndGo("instance", address + "?registry-type=service");
    }

    @Test
    void applicationLevelConsumerStartedBeforeAnyProviderFindsItThroughTheMappingPush() {
        DubboApp consumer = track(DubboApp.consumer("greeting-consumer", address + "?registry-type=service"));
        assertThat(consumer.providerPorts()).isEmpty();
        DubboApp a = track(DubboApp.provider("greeting-provider", address, "instance", "A"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(consumer.providerPorts()).containsExactly(a.port()));
        assertThat(callers(consumer.greeting(), 5)).containsExactly("A");
    }

    @Test
    void applicationLevelPublishesTheInstanceAndTheInterfaceMapping() {
        track(DubboApp.provider("greeting-provider", address, "instance", "A"));
        try (RegistryClient client = RegistryClient.start(RegistryClientConfig.builder(
                "127.0.0.1:" + registry.clientPort()).build())) {
            assertThat(client.services("DUBBO_APPS")).extracting(DataInfoId::dataId).containsExactly("greeting-provider");
            assertThat(client.services("DUBBO_MAPPING")).extracting(DataInfoId::dataId)
                    .contains(GreetingService.class.getName());
            assertThat(client.services("DUBBO_PROVIDERS")).isEmpty(); // instance mode: no interface-level URL
        }
    }

    @Test
    void defaultRegisterModeAllServesADefaultConsumer() {
        DubboApp a = track(DubboApp.provider("greeting-provider", address, null, "A"));
        DubboApp consumer = track(DubboApp.consumer("greeting-consumer", address));
        assertThat(callers(consumer.greeting(), 5)).containsExactly("A");
        try (RegistryClient client = RegistryClient.start(RegistryClientConfig.builder(
                "127.0.0.1:" + registry.clientPort()).build())) {
            assertThat(client.services("DUBBO_PROVIDERS")).extracting(DataInfoId::dataId)
                    .containsExactly(GreetingService.class.getName());
            assertThat(client.services("DUBBO_APPS")).extracting(DataInfoId::dataId).containsExactly("greeting-provider");
        }
        assertThat(a.port()).isPositive();
    }
}
