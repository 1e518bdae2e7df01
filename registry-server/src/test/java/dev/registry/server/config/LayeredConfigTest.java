package dev.registry.server.config;

import dev.registry.server.RegistryServerMain;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The pure core: file, environment and command-line layers over the defaults, and its errors. */
class LayeredConfigTest {
    private static final List<ConfigKey> KEYS = RegistryServerMain.CONFIG_KEYS;
    private static final Path FILE = Path.of("/etc/registry/node.properties");

    private static ConfigFile file(Map<String, String> properties) {
        return new ConfigFile(FILE, "--config", properties);
    }

    private static LayeredConfig resolve(Map<String, String> file, Map<String, String> env, Map<String, String> cli) {
        return LayeredConfig.resolve(KEYS, file == null ? null : file(file), env, cli);
    }

    private static ConfigException failure(Map<String, String> file, Map<String, String> env, Map<String, String> cli) {
        return catchThrowableOfType(() -> resolve(file, env, cli), ConfigException.class);
    }

    @Test
    void nothingGivenLeavesEveryKeyAtItsDefault() {
        LayeredConfig c = resolve(null, Map.of(), Map.of());
        for (ConfigKey k : KEYS) {
            assertThat(c.source(k.name())).as(k.name()).isEqualTo(ConfigSource.DEFAULT);
            assertThat(c.belowCommandLine(k.name())).as(k.name()).isEmpty();
        }
        assertThat(c.file()).isEmpty();
        assertThat(c.summary()).startsWith("configuration: no config file")
                .contains("from file: -", "from environment: -", "from command line: -");
    }

    @Test
    void fileBeatsDefaultEnvironmentBeatsFileCommandLineBeatsEnvironment() {
        Map<String, String> file = Map.of("session-port", "9700", "role", "data", "data-lease-seconds", "9",
                "admin-token", "from-file");
        Map<String, String> env = Map.of("REGISTRY_SESSION_PORT", "9800", "REGISTRY_ADMIN_TOKEN", "from-env",
                "REGISTRY_SLOTS", "64");
        Map<String, String> cli = Map.of("session-port", "9900", "slots", "128");
        LayeredConfig c = resolve(file, env, cli);

        assertThat(c.source("role")).isEqualTo(ConfigSource.FILE);
        assertThat(c.belowCommandLine("role")).contains("data");
        assertThat(c.source("data-lease-seconds")).isEqualTo(ConfigSource.FILE);
        assertThat(c.source("admin-token")).isEqualTo(ConfigSource.ENVIRONMENT);
        assertThat(c.belowCommandLine("admin-token")).contains("from-env");
        assertThat(c.source("session-port")).isEqualTo(ConfigSource.COMMAND_LINE);
        assertThat(c.belowCommandLine("session-port")).as("picocli applies the command line on top").contains("9800");
        assertThat(c.source("slots")).isEqualTo(ConfigSource.COMMAND_LINE);
        assertThat(c.source("host")).isEqualTo(ConfigSource.DEFAULT);
        assertThat(c.describe("admin-token")).isEqualTo("admin-token (from environment variable REGISTRY_ADMIN_TOKEN)");
        assertThat(c.describe("role")).isEqualTo("role (from config file " + FILE + ")");
        assertThat(c.describe("host")).isEqualTo("host (default)");
    }

    @Test
    void summaryNamesTheFileAndTheKeysBySourceButNoValue() {
        LayeredConfig c = resolve(Map.of("role", "meta", "meta-db-password", "pw-in-file"),
                Map.of("REGISTRY_ADMIN_TOKEN", "token-in-env"), Map.of("meta-port", "9611"));
        assertThat(c.summary())
                .contains("config file " + FILE.toAbsolutePath().normalize() + " (named by --config)")
                .contains("from file: role, meta-db-password")
                .contains("from environment: admin-token")
                .contains("from command line: meta-port")
                .doesNotContain("pw-in-file", "token-in-env", "9611");
    }

    @Test
    void valuesAreTrimmedCanonicalAndBlankMeansNotGiven() {
        LayeredConfig c = resolve(Map.of("session-port", " 09700 ", "role", "SESSION", "host", "  "),
                Map.of("REGISTRY_DATA_PORT", ""), Map.of());
        assertThat(c.belowCommandLine("session-port")).contains("9700");
        assertThat(c.belowCommandLine("role")).contains("session");
        assertThat(c.source("host")).isEqualTo(ConfigSource.DEFAULT);
        assertThat(c.source("data-port")).isEqualTo(ConfigSource.DEFAULT);
    }

    @Test
    void unknownFileKeyIsRejectedWithTheClosestKnownKey() {
        assertThat(failure(Map.of("sesion-port", "9600"), Map.of(), Map.of()).getMessage()).isEqualTo(
                "config file " + FILE + ": unknown key 'sesion-port'; did you mean 'session-port'?");
        assertThat(failure(Map.of("SESSION_HTTP_PORT", "1"), Map.of(), Map.of()).getMessage())
                .contains("unknown key 'SESSION_HTTP_PORT'; did you mean 'session-http-port'?");
        assertThat(failure(Map.of("--admin-token", "x"), Map.of(), Map.of()).getMessage())
                .contains("did you mean 'admin-token'?");
        assertThat(failure(Map.of("completely-unrelated", "1"), Map.of(), Map.of()).getMessage())
                .contains("unknown key 'completely-unrelated'; docs/configuration.md lists every key");
    }

    @Test
    void unknownRegistryEnvironmentVariablesAreIgnored() {
        LayeredConfig c = resolve(null, Map.of("REGISTRY_JAVA_OPTS", "-Xmx1g", "REGISTRY_SESION_PORT", "x"), Map.of());
        assertThat(c.source("session-port")).isEqualTo(ConfigSource.DEFAULT);
    }

    @Test
    void badNumberIsRejectedNamingKeyValueSourceAndExpectation() {
        assertThat(failure(Map.of("session-port", "96OO"), Map.of(), Map.of()).getMessage()).isEqualTo(
                "invalid value for session-port from config file " + FILE
                        + ": '96OO'; expected a port number 0..65535 (0 = a free port)");
        assertThat(failure(null, Map.of("REGISTRY_SLOTS", "lots"), Map.of()).getMessage()).isEqualTo(
                "invalid value for slots from environment variable REGISTRY_SLOTS: 'lots'; expected a slot count 1..65536");
        assertThat(failure(null, Map.of(), Map.of("replicas", "0")).getMessage()).isEqualTo(
                "invalid value for replicas from command line --replicas: '0'; expected a replica count 1..1000");
    }

    @Test
    void outOfRangePortsAreRejected() {
        assertThat(failure(Map.of("data-port", "65536"), Map.of(), Map.of()).getMessage())
                .contains("data-port", "'65536'", "0..65535");
        assertThat(failure(Map.of("data-port", "-1"), Map.of(), Map.of()).getMessage())
                .as("an RPC port cannot be disabled").contains("data-port", "'-1'");
        assertThat(resolve(Map.of("data-http-port", "-1", "sofa-bolt-port", "-1"), Map.of(), Map.of())
                .belowCommandLine("data-http-port")).as("an admin port can").contains("-1");
        assertThat(failure(Map.of("meta-http-port", "-2"), Map.of(), Map.of()).getMessage())
                .contains("or -1 to disable it");
    }

    @Test
    void badRoleIsRejectedListingTheRoles() {
        assertThat(failure(null, Map.of("REGISTRY_ROLE", "datta"), Map.of()).getMessage()).isEqualTo(
                "invalid value for role from environment variable REGISTRY_ROLE: 'datta'; "
                        + "expected one of all, meta, data, session");
    }

    @Test
    void nonPositiveDurationsAreRejected() {
        assertThat(failure(Map.of("client-idle-seconds", "0"), Map.of(), Map.of()).getMessage())
                .contains("client-idle-seconds from config file", "'0'", "a positive whole number of seconds");
        assertThat(failure(null, Map.of("REGISTRY_SESSION_GRACE_SECONDS", "-5"), Map.of()).getMessage())
                .contains("session-grace-seconds from environment variable REGISTRY_SESSION_GRACE_SECONDS", "'-5'");
        assertThat(failure(null, Map.of(), Map.of("meta-lease-millis", "100")).getMessage())
                .contains("meta-lease-millis from command line --meta-lease-millis", "at least 200");
        assertThat(failure(null, Map.of(), Map.of("meta-renew-millis", "1.5")).getMessage())
                .contains("meta-renew-millis", "'1.5'", "milliseconds");
    }

    @Test
    void structuredValuesAreCheckedToo() {
        assertThat(failure(Map.of("meta-servers", "10.0.0.1:9610,10.0.0.2"), Map.of(), Map.of()).getMessage())
                .contains("meta-servers", "every entry with a port");
        assertThat(failure(null, Map.of("REGISTRY_META_DB_URL", "jdbc:mysql://db/x"), Map.of()).getMessage())
                .contains("meta-db-url from environment variable REGISTRY_META_DB_URL", "jdbc:postgresql://");
    }

    @Test
    void aBadValueFailsEvenWhenAHigherLayerHidesIt() {
        assertThat(failure(Map.of("data-port", "x"), Map.of("REGISTRY_DATA_PORT", "9620"), Map.of()).getMessage())
                .contains("from config file");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = failure(Map.of("sesion-port", "1", "slots", "0"), Map.of("REGISTRY_ROLE", "x"),
                Map.of("data-port", "99999"));
        assertThat(e.problems()).hasSize(4);
    }

    @Test
    void secretValuesNeverAppearInMessages() {
        List<ConfigKey> keys = List.of(ConfigKey.secret("pin", ValueType.integer(0, 9999, "a 4-digit pin")),
                ConfigKey.of("meta-db-url", KEYS.stream().filter(k -> k.name().equals("meta-db-url")).findFirst()
                        .orElseThrow().type()));
        ConfigException e = catchThrowableOfType(() -> LayeredConfig.resolve(keys,
                file(Map.of("pin", "hunter2")),
                Map.of("REGISTRY_META_DB_URL", "jdbc:mysql://db/x?user=u&password=hunter3"),
                Map.of()), ConfigException.class);
        assertThat(e.getMessage()).contains("invalid value for pin from config file", "'***'", "password=***")
                .doesNotContain("hunter2", "hunter3");
        assertThat(new ConfigKey("admin-token", ValueType.text("t"), true).display("tok")).isEqualTo("***");
        assertThat(file(Map.of("admin-token", "s3cr3t")).toString()).contains("admin-token").doesNotContain("s3cr3t");
    }

    @Test
    void envVarAndFlagFollowFromTheKey() {
        ConfigKey k = ConfigKey.of("meta-db-url", ValueType.text("x"));
        assertThat(k.envVar()).isEqualTo("REGISTRY_META_DB_URL");
        assertThat(k.flag()).isEqualTo("--meta-db-url");
    }

    @Test
    void closestKeySuggestsOnlyLikelyTypos() {
        List<String> known = KEYS.stream().map(ConfigKey::name).toList();
        assertThat(LayeredConfig.closest("replica", known)).contains("replicas");
        assertThat(LayeredConfig.closest("REGISTRY_ADMIN_TOKEN", known)).contains("admin-token");
        assertThat(LayeredConfig.closest("metaport", known)).contains("meta-port");
        assertThat(LayeredConfig.closest("xyz", known)).isEmpty();
        assertThatThrownBy(() -> resolve(Map.of("xyz", "1"), Map.of(), Map.of())).isInstanceOf(ConfigException.class);
    }
}
