package dev.registry.server;

import dev.registry.server.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -Dregistry.random.seed} seeds the node (issue #21); without it the seed is drawn at random. */
class RandomSeedSettingTest {

    @AfterEach
    void clear() {
        System.clearProperty(NodeSettingsBuilder.RANDOM_SEED_PROPERTY);
    }

    @Test
    void unsetMeansRandom() {
        assertThat(RegistryServerMain.configure(Map.of()).toSettings().randomSeed()).isNull();
    }

    @Test
    void theSystemPropertySeedsTheNode() {
        System.setProperty(NodeSettingsBuilder.RANDOM_SEED_PROPERTY, " -42 ");

        assertThat(RegistryServerMain.configure(Map.of()).toSettings().randomSeed()).isEqualTo(-42L);
    }

    @Test
    void aBadSeedIsAConfigurationError() {
        System.setProperty(NodeSettingsBuilder.RANDOM_SEED_PROPERTY, "forty-two");

        assertThatThrownBy(() -> RegistryServerMain.configure(Map.of()).toSettings())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.random.seed").hasMessageContaining("forty-two");
    }
}
