package dev.registry.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void readsPropertiesIgnoringComments() throws Exception {
        Path f = dir.resolve("node.properties");
        Files.writeString(f, "# a comment\n! another\nrole = data\nmeta-servers: 10.0.0.1:9610\nhost=ünïcode\n",
                StandardCharsets.UTF_8);
        ConfigFile file = ConfigFile.read(f, "--config");
        assertThat(file.properties()).containsOnlyKeys("role", "meta-servers", "host")
                .containsEntry("role", "data").containsEntry("meta-servers", "10.0.0.1:9610")
                .containsEntry("host", "ünïcode");
        assertThat(file.path()).isEqualTo(f);
    }

    @Test
    void missingFileIsAnErrorNamingItAndWhoNamedIt() {
        Path f = dir.resolve("nope.properties");
        assertThatThrownBy(() -> ConfigFile.read(f, "REGISTRY_CONFIG")).isInstanceOf(ConfigException.class)
                .hasMessage("config file " + f + " (named by REGISTRY_CONFIG) does not exist");
    }

    @Test
    void directoryIsAnError() {
        assertThatThrownBy(() -> ConfigFile.read(dir, "--config")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not a regular file");
    }

    @Test
    void malformedEscapeIsAnError() throws Exception {
        Path f = dir.resolve("bad.properties");
        Files.writeString(f, "host=\\uZZZZ\n");
        assertThatThrownBy(() -> ConfigFile.read(f, "--config")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot be read as a UTF-8 properties file");
    }
}
