package dev.registry.springcloud;

import dev.registry.server.EmbeddedRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real Boot applications on random ports against a real all-in-one registry started by the
 * test (issue 18): two providers auto-register, a consumer's {@code @LoadBalanced} client calls
 * the service by name and reaches both; a provider that stops is out of the consumer's choice
 * within 1 s, with no failed call after that; the catalog lists the services and changes come as
 * HeartbeatEvents; health follows the registry.
 */
class SpringCloudIntegrationTest {
    private EmbeddedRegistry registry;
    private final List<ConfigurableApplicationContext> apps = new ArrayList<>();

    @BeforeEach
    void startRegistry() {
        registry = EmbeddedRegistry.start();
    }

    @AfterEach
    void stop() {
        for (int i = apps.size() - 1; i >= 0; i--) {
            apps.get(i).close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @RestController
    static class Provider {
        @Value("${spring.cloud.registry.instance-id}")
        String instanceId;

        @GetMapping("/hello")
        String hello() {
            return instanceId;
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Consumer {
        final List<HeartbeatEvent> heartbeats = new CopyOnWriteArrayList<>();

        @Bean
        @LoadBalanced
        RestClient.Builder loadBalanced() {
            return RestClient.builder();
        }

        @Bean
        ApplicationListener<HeartbeatEvent> heartbeats() {
            return heartbeats::add;
        }
    }

    private ConfigurableApplicationContext start(Class<?> app, String name, String instanceId, String... more) {
        List<String> properties = new ArrayList<>(List.of(
                "server.port=0", "spring.application.name=" + name,
                "spring.cloud.registry.servers=" + (registry == null ? "127.0.0.1:1" : registry.servers()),
                "spring.cloud.registry.host=127.0.0.1", "spring.cloud.registry.instance-id=" + instanceId,
                "spring.cloud.registry.metadata.flavour=" + instanceId + "-meta",
                "management.endpoints.web.exposure.include=health,serviceregistry",
                "spring.main.banner-mode=off"));
        properties.addAll(List.of(more)); // later ones win
        ConfigurableApplicationContext c = new SpringApplicationBuilder(app)
                .properties(properties.toArray(new String[0])).run();
        apps.add(c);
        return c;
    }

    private static Set<String> instanceIds(DiscoveryClient discovery, String service) {
        Set<String> ids = new HashSet<>();
        discovery.getInstances(service).forEach(i -> ids.add(i.getInstanceId()));
        return ids;
    }

    @Test
    void providersRegisterAndALoadBalancedConsumerSwitchesWithinASecondWhenOneStops() {
        ConfigurableApplicationContext a = start(Provider.class, "demo-provider", "provider-A");
        start(Provider.class, "demo-provider", "provider-B");
        ConfigurableApplicationContext consumer = start(Consumer.class, "demo-consumer", "consumer-1");
        DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
        RestClient http = consumer.getBean(RestClient.Builder.class).build();

        await().atMost(Duration.ofSeconds(10)).until(() -> instanceIds(discovery, "demo-provider")
                .equals(Set.of("provider-A", "provider-B")));
        ServiceInstance a1 = discovery.getInstances("demo-provider").stream()
                .filter(i -> i.getInstanceId().equals("provider-A")).findFirst().orElseThrow();
        assertThat(a1.getHost()).isEqualTo("127.0.0.1");
        assertThat(a1.getPort()).isEqualTo(a.getEnvironment().getProperty("local.server.port", Integer.class));
        assertThat(a1.getMetadata()).containsEntry("flavour", "provider-A-meta");
        await().atMost(Duration.ofSeconds(10)).until(() -> discovery.getServices()
                .containsAll(List.of("demo-consumer", "demo-provider")));
        assertThat(consumer.getBean(Consumer.class).heartbeats).as("catalog changes as HeartbeatEvents").isNotEmpty();
        List<String> reactive = consumer.getBean(ReactiveDiscoveryClient.class).getInstances("demo-provider")
                .map(ServiceInstance::getInstanceId).collectList().block(Duration.ofSeconds(5));
        assertThat(reactive).containsExactlyInAnyOrder("provider-A", "provider-B");

        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 40 && reached.size() < 2; i++) {
            reached.add(http.get().uri("http://demo-provider/hello").retrieve().body(String.class));
        }
        assertThat(reached).containsExactlyInAnyOrder("provider-A", "provider-B");

        // Stop provider A: from the moment it is gone from the consumer's list, every call succeeds.
        long stopped = System.nanoTime();
        a.close();
        apps.remove(a);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> instanceIds(discovery, "demo-provider").equals(Set.of("provider-B")));
        long switchMillis = (System.nanoTime() - stopped) / 1_000_000;
        int calls = 0;
        for (; calls < 30; calls++) {
            assertThat(http.get().uri("http://demo-provider/hello").retrieve().body(String.class))
                    .isEqualTo("provider-B");
        }
        assertThat(calls).isEqualTo(30);
        assertThat(switchMillis).isLessThanOrEqualTo(1000);
        await().atMost(Duration.ofSeconds(5)).until(() -> discovery.getServices().contains("demo-provider"));
    }

    @Test
    void withoutFailFastAnAppStartsBeforeTheRegistryAndRegistersOnceItAnswers() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        registry.close();
        registry = null;
        ConfigurableApplicationContext early = start(Provider.class, "early-provider", "early-A",
                "spring.cloud.registry.servers=127.0.0.1:" + port, "spring.cloud.registry.request-timeout=1s",
                "spring.cloud.registry.registration.fail-fast=false");
        assertThat(early.isActive()).as("started without a registry").isTrue();

        registry = EmbeddedRegistry.start(false, "--session-port", String.valueOf(port));
        try (dev.registry.client.RegistryClient reader = dev.registry.client.RegistryClient.start(
                dev.registry.client.RegistryClientConfig.builder(registry.servers()).build())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> reader.services("SPRING_CLOUD").stream()
                    .anyMatch(id -> id.dataId().equals("early-provider")));
        }
    }

    @Test
    void statusAndHealthFollowTheRegistry() {
        ConfigurableApplicationContext provider = start(Provider.class, "status-provider", "status-A");
        ConfigurableApplicationContext consumer = start(Consumer.class, "status-consumer", "status-consumer-1");
        DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> instanceIds(discovery, "status-provider").equals(Set.of("status-A")));

        RegistryServiceRegistry registry = provider.getBean(RegistryServiceRegistry.class);
        RegistryRegistration registration = provider.getBean(RegistryRegistration.class);
        registry.setStatus(registration, "OUT_OF_SERVICE");
        assertThat((String) registry.getStatus(registration)).isEqualTo("OUT_OF_SERVICE");
        await().atMost(Duration.ofSeconds(2)).until(() -> instanceIds(discovery, "status-provider").isEmpty());
        registry.setStatus(registration, "UP");
        await().atMost(Duration.ofSeconds(2)).until(() -> instanceIds(discovery, "status-provider").equals(Set.of("status-A")));

        RegistryHealthIndicator health = consumer.getBean(RegistryHealthIndicator.class);
        assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
        registry.deregister(registration);
        await().atMost(Duration.ofSeconds(2)).until(() -> instanceIds(discovery, "status-provider").isEmpty());

        this.registry.close();
        this.registry = null;
        await().atMost(Duration.ofSeconds(15)).until(() -> health.health(true).getStatus().equals(Status.DOWN));
        Health down = health.health(true);
        assertThat(down.getDetails()).containsKey("error");
    }
}
