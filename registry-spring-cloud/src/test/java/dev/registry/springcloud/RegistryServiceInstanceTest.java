package dev.registry.springcloud;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryServiceInstanceTest {
    @Test
    void anInstanceTravelsAsJsonAndBack() {
        RegistryServiceInstance i = new RegistryServiceInstance("orders-1", "orders", "10.0.0.1", 8443, true, "zone-a",
                "UP", Map.of("version", "2.1", "quote\"d", "a\\b"));
        RegistryServiceInstance back = RegistryServiceInstance.fromJson(i.toJson(), "orders");
        assertThat(back).isEqualTo(i);
        assertThat(back.getUri().toString()).isEqualTo("https://10.0.0.1:8443");
        assertThat(back.getMetadata()).containsEntry("zone", "zone-a").containsEntry("quote\"d", "a\\b");
        assertThat(back.withStatus("OUT_OF_SERVICE").getStatus()).isEqualTo("OUT_OF_SERVICE");
    }

    @Test
    void aMinimalValueGetsDefaultsAndForeignValuesAreRefused() {
        RegistryServiceInstance minimal = RegistryServiceInstance.fromJson("{\"host\":\"h\",\"port\":80}", "svc");
        assertThat(minimal.getInstanceId()).isEqualTo("svc:h:80");
        assertThat(minimal.getStatus()).isEqualTo("UP");
        assertThat(minimal.isSecure()).isFalse();
        assertThatThrownBy(() -> RegistryServiceInstance.fromJson("10.0.0.1:8080", "svc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> RegistryServiceInstance.fromJson("{\"port\":80}", "svc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an instance");
    }
}
