package dev.registry.server.config;

import dev.registry.server.RegistryServerMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The distribution's conf/ files and docs/configuration.md stay in step with the launcher's keys. */
class ShippedConfigFilesTest {
    private static final Path CONF = Path.of("src/main/dist/conf");
    private static final Path DOC = Path.of("../docs/configuration.md");

    @Test
    void theAllInOneFileListsEveryKeyCommentedWithItsDefault() throws Exception {
        String text = Files.readString(CONF.resolve("registry.properties"));
        CommandLine.Model.CommandSpec spec = new CommandLine(new RegistryServerMain()).getCommandSpec();
        for (ConfigKey key : RegistryServerMain.CONFIG_KEYS) {
            OptionSpec option = spec.findOption(key.flag());
            String shown = option.defaultValue() == null ? "" : option.defaultValue();
            assertThat(text).as(key.name()).containsPattern("(?m)^#" + key.name() + "=" + shown + "$");
        }
        ConfigFile file = ConfigFile.read(CONF.resolve("registry.properties"), "test");
        assertThat(file.properties()).as("everything commented out: the defaults apply").isEmpty();
    }

    @Test
    void thePerRoleFilesAreValidAndNameTheirRole() {
        for (String role : new String[] {"meta", "data", "session"}) {
            ConfigFile file = ConfigFile.read(CONF.resolve(role + ".properties"), "test");
            LayeredConfig c = LayeredConfig.resolve(RegistryServerMain.CONFIG_KEYS, file, Map.of(), Map.of());
            assertThat(c.belowCommandLine("role")).as(role).contains(role);
        }
    }

    @Test
    void docsListEveryKeyWithItsEnvironmentVariableAndFlag() throws Exception {
        String doc = Files.readString(DOC);
        for (ConfigKey key : RegistryServerMain.CONFIG_KEYS) {
            assertThat(doc).contains("| `" + key.name() + "` | `" + key.envVar() + "` | `" + key.flag() + "` |");
        }
    }
}
