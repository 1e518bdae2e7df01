package dev.registry.server.config;

import dev.registry.server.RegistryNode;
import dev.registry.server.RegistryServerMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The launcher's real configuration path ({@link RegistryServerMain#configure} and {@link RegistryServerMain#run}
 * as {@code main} calls it) with files, a fake environment and command lines. Starts no server: every run here
 * either prints help or fails before anything starts.
 */
class LauncherConfigurationTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    /** What main prints and returns; only for runs that must not start anything. */
    private record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RegistryServerMain.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void everyLauncherOptionIsAConfigKeyAndEveryKeyAnOption() {
        Set<String> options = new CommandLine(new RegistryServerMain()).getCommandSpec().options().stream()
                .map(OptionSpec::longestName).filter(n -> !Set.of("--help", "--version", "--config").contains(n))
                .map(n -> n.substring(2)).collect(Collectors.toSet());
        assertThat(RegistryServerMain.CONFIG_KEYS).extracting(ConfigKey::name).containsExactlyInAnyOrderElementsOf(options);
    }

    @Test
    void withNothingGivenTheBuiltInDefaultsApply() {
        RegistryNode.Settings s = RegistryServerMain.configure(Map.of()).toSettings();
        assertThat(s.meta()).isTrue();
        assertThat(s.data()).isTrue();
        assertThat(s.session()).isTrue();
        assertThat(s.bindHost()).isEqualTo("127.0.0.1");
        assertThat(s.sessionPort()).isEqualTo(9600);
        assertThat(s.sessionHttpPort()).isEqualTo(9603);
        assertThat(s.metaPort()).isEqualTo(9610);
        assertThat(s.dataPort()).isEqualTo(9620);
        assertThat(s.sofaBoltPort()).isEqualTo(9601);
        assertThat(s.slots()).isEqualTo(256);
        assertThat(s.replicas()).isEqualTo(2);
        assertThat(s.dataLease()).isEqualTo(Duration.ofSeconds(6));
        assertThat(s.adminToken()).isNull();
        assertThat(s.metaDatabase().url()).startsWith("jdbc:h2:file:./data/registry-meta");
    }

    @Test
    void fileEnvironmentAndCommandLineLayerInOrder() throws Exception {
        Path conf = write("session.properties", """
                # a session node
                role=session
                host=0.0.0.0
                advertise-host=10.0.0.7
                meta-servers=10.0.0.1:9610,10.0.0.2:9610
                session-port=9700
                session-http-port=9703
                client-idle-seconds=9
                admin-token=from-file
                slots=64
                """);
        Map<String, String> env = Map.of("REGISTRY_SESSION_PORT", "9800", "REGISTRY_ADMIN_TOKEN", "from-env",
                "REGISTRY_SLOTS", "128");
        RegistryServerMain main = RegistryServerMain.configure(env, "--config", conf.toString(), "--slots", "32");
        RegistryNode.Settings s = main.toSettings();

        assertThat(s.meta()).isFalse();
        assertThat(s.data()).isFalse();
        assertThat(s.session()).isTrue();
        assertThat(s.bindHost()).isEqualTo("0.0.0.0");
        assertThat(s.advertiseHost()).isEqualTo("10.0.0.7");
        assertThat(s.metaServers()).extracting(Object::toString).containsExactly("10.0.0.1:9610", "10.0.0.2:9610");
        assertThat(s.sessionPort()).as("environment over file").isEqualTo(9800);
        assertThat(s.sessionHttpPort()).as("file").isEqualTo(9703);
        assertThat(s.clientIdle()).isEqualTo(Duration.ofSeconds(9));
        assertThat(s.adminToken()).isEqualTo("from-env");
        assertThat(s.slots()).as("command line over environment and file").isEqualTo(32);
        assertThat(s.sofaBoltPort()).as("custom session port: a free Bolt port").isZero();

        LayeredConfig c = main.configuration();
        assertThat(c.source("role")).isEqualTo(ConfigSource.FILE);
        assertThat(c.source("session-port")).isEqualTo(ConfigSource.ENVIRONMENT);
        assertThat(c.source("slots")).isEqualTo(ConfigSource.COMMAND_LINE);
        assertThat(c.source("replicas")).isEqualTo(ConfigSource.DEFAULT);
        assertThat(c.summary()).contains("config file " + conf.toAbsolutePath(), "(named by --config)",
                "from command line: slots").doesNotContain("from-env", "from-file");
    }

    @Test
    void registryConfigNamesTheFileWhenNoOptionDoes() throws Exception {
        Path conf = write("data.properties", "role=DATA\ndata-port=9720\n");
        Path other = write("other.properties", "role=meta\n");
        RegistryServerMain main = RegistryServerMain.configure(Map.of("REGISTRY_CONFIG", conf.toString()));
        assertThat(main.toSettings().data()).isTrue();
        assertThat(main.toSettings().meta()).isFalse();
        assertThat(main.toSettings().dataPort()).isEqualTo(9720);
        assertThat(main.configuration().summary()).contains("(named by REGISTRY_CONFIG)");

        RegistryServerMain overridden = RegistryServerMain.configure(Map.of("REGISTRY_CONFIG", conf.toString()),
                "--config", other.toString());
        assertThat(overridden.toSettings().meta()).as("--config wins over REGISTRY_CONFIG").isTrue();
        assertThat(overridden.toSettings().data()).isFalse();
    }

    @Test
    void clientBalancingIsOnByDefaultTunableAndCanBeTurnedOff() {
        RegistryNode.Settings defaults = RegistryServerMain.configure(Map.of()).toSettings();
        assertThat(defaults.sessionBalance().enabled()).isTrue();
        assertThat(defaults.sessionBalance().interval()).isEqualTo(java.time.Duration.ofSeconds(5));
        RegistryNode.Settings tuned = RegistryServerMain.configure(Map.of("REGISTRY_SESSION_BALANCE_SECONDS", "0"),
                "--session-balance-max-moves", "50").toSettings();
        assertThat(tuned.sessionBalance().enabled()).as("env 0 turns it off").isFalse();
        RegistryNode.Settings cli = RegistryServerMain.configure(Map.of("REGISTRY_SESSION_BALANCE_SECONDS", "0"),
                "--session-balance-seconds", "7", "--session-balance-max-moves", "50").toSettings();
        assertThat(cli.sessionBalance().interval()).as("command line over env").isEqualTo(java.time.Duration.ofSeconds(7));
        assertThat(cli.sessionBalance().maxMovesPerRound()).isEqualTo(50);
    }

    @Test
    void theExistingEnvironmentVariablesStillWork() {
        RegistryNode.Settings s = RegistryServerMain.configure(Map.of(
                "REGISTRY_META_DB_URL", "jdbc:h2:mem:envtest;DB_CLOSE_DELAY=-1",
                "REGISTRY_META_DB_USER", "alice",
                "REGISTRY_META_DB_PASSWORD", "pw",
                "REGISTRY_ADMIN_TOKEN", "tok")).toSettings();
        assertThat(s.metaDatabase().url()).isEqualTo("jdbc:h2:mem:envtest;DB_CLOSE_DELAY=-1");
        assertThat(s.metaDatabase().user()).isEqualTo("alice");
        assertThat(s.metaDatabase().password()).isEqualTo("pw");
        assertThat(s.adminToken()).isEqualTo("tok");
        assertThat(s.toString()).doesNotContain("tok]", "pw");
    }

    @Test
    void combinationsThatSingleKeysCannotCatchNameTheirSources() {
        assertThatThrownBy(() -> RegistryServerMain.configure(Map.of("REGISTRY_META_RENEW_MILLIS", "9000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("meta-lease-millis (default) / meta-renew-millis (from environment variable "
                        + "REGISTRY_META_RENEW_MILLIS)");
    }

    @Test
    void helpListsTheConfigOptionAndExitsZero() {
        Outcome o = run(Map.of(), "--help");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).contains("--config=FILE", "REGISTRY_SESSION_PORT", "--session-port");
    }

    @Test
    void missingConfigFileExitsWithUsageCode() {
        Path missing = dir.resolve("missing.properties");
        Outcome o = run(Map.of(), "--config", missing.toString());
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("registry-server: config file " + missing + " (named by --config) does not exist");

        Outcome fromEnv = run(Map.of("REGISTRY_CONFIG", missing.toString()));
        assertThat(fromEnv.exitCode()).isEqualTo(2);
        assertThat(fromEnv.err()).contains("(named by REGISTRY_CONFIG) does not exist");
    }

    @Test
    void unknownKeyAndBadValuesExitWithUsageCodeAndAClearMessage() throws Exception {
        Path conf = write("typo.properties", "role=data\nsesion-port=9600\nadmin-token=s3cr3t-token\n");
        Outcome o = run(Map.of("REGISTRY_DATA_PORT", "abc"), "--config", conf.toString());
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err())
                .contains("config file " + conf + ": unknown key 'sesion-port'; did you mean 'session-port'?")
                .contains("invalid value for data-port from environment variable REGISTRY_DATA_PORT: 'abc'; "
                        + "expected a port number 0..65535")
                .contains("docs/configuration.md")
                .doesNotContain("s3cr3t-token");
    }

    @Test
    void badCommandLineValuesExitWithUsageCode() {
        Outcome o = run(Map.of(), "--session-port", "70000");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("invalid value for session-port from command line --session-port: '70000'");

        Outcome notInt = run(Map.of(), "--session-port", "x");
        assertThat(notInt.exitCode()).isEqualTo(2);
        assertThat(notInt.err()).contains("command line:", "--session-port", "'x'");

        Outcome role = run(Map.of(), "--role", "everything");
        assertThat(role.exitCode()).isEqualTo(2);
        assertThat(role.err()).contains("--role", "everything", "all, meta, data, session");
    }

    @Test
    void mistypedSecretOptionsAreNotEchoed() {
        Outcome o = run(Map.of(), "--admin-tokn=s3cr3t-token");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("unknown option --admin-tokn=***", "did you mean --admin-token?")
                .doesNotContain("s3cr3t-token");

        Outcome separate = run(Map.of(), "--meta-db-passwd", "hunter2");
        assertThat(separate.exitCode()).isEqualTo(2);
        assertThat(separate.err()).contains("--meta-db-passwd", "1 unexpected argument", "did you mean --meta-db-password?")
                .doesNotContain("hunter2");
    }
}
