package dev.registry.server;

import dev.registry.client.RegistryClientConfig;
import dev.registry.meta.store.SqlDialect;
import dev.registry.server.config.ConfigException;
import dev.registry.server.config.ConfigFile;
import dev.registry.server.config.ConfigKey;
import dev.registry.server.config.LayeredConfig;
import dev.registry.server.config.ValueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Command-line entry point: runs one role, or all of them in one JVM (the default).
 * {@code scripts/run.sh} starts it; {@code --help} lists every option. The options are
 * package-private fields because {@link NodeSettingsBuilder} turns them into the node's settings.
 */
@Command(name = "registry-server", mixinStandardHelpOptions = true, version = "registry-server 0.1.0",
        description = "Runs the sharded registry: meta, data, session roles, or all of them in one process.")
public final class RegistryServerMain implements Callable<Integer> {

    @Option(names = "--role", defaultValue = "all", description = "all | meta | data | session (default: ${DEFAULT-VALUE})")
    Role role;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "bind address of every port (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--admin-host", description = "bind address of the admin HTTP ports (health, metrics, admin API), "
            + "e.g. a management interface (default: --host)")
    String adminHost;

    @Option(names = "--advertise-host", description = "address other nodes and clients use to reach this one (default: --host)")
    String advertiseHost;

    @Option(names = "--meta-servers", description = "meta RPC addresses host:port,... for data and session roles (default: 127.0.0.1:<meta-port>)")
    String metaServers;

    @Option(names = "--meta-port", defaultValue = "9610", description = "meta RPC port (default: ${DEFAULT-VALUE})")
    int metaPort;

    @Option(names = "--meta-http-port", defaultValue = "9615", description = "meta admin HTTP port (default: ${DEFAULT-VALUE})")
    int metaHttpPort;

    @Option(names = "--data-port", defaultValue = "9620", description = "data RPC port (default: ${DEFAULT-VALUE})")
    int dataPort;

    @Option(names = "--data-http-port", defaultValue = "9622", description = "data admin HTTP port (default: ${DEFAULT-VALUE})")
    int dataHttpPort;

    @Option(names = "--session-port", defaultValue = "9600", description = "session client port (default: ${DEFAULT-VALUE})")
    int sessionPort;

    @Option(names = "--session-http-port", defaultValue = "9603", description = "session admin HTTP port (default: ${DEFAULT-VALUE})")
    int sessionHttpPort;

    @Option(names = "--sofa-bolt-port", description = "session Bolt port for SOFARegistry's own Java client, which "
            + "finds it through the session admin HTTP port; -1 disables it (default: 9601 with the default "
            + "--session-port 9600, else 0 = a free port)")
    Integer sofaBoltPort;

    @Option(names = "--slots", defaultValue = "256", description = "slot count; never change it on a live cluster (default: ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--replicas", defaultValue = "2", description = "copies of every slot (default: ${DEFAULT-VALUE})")
    int replicas;

    @Option(names = "--data-lease-seconds", defaultValue = "6", description = "meta drops a silent data server after this (default: ${DEFAULT-VALUE})")
    int dataLeaseSeconds;

    @Option(names = "--data-probe-millis", defaultValue = "1000", description = "when a session or data server "
            + "reports a data server unreachable (its connection closed), the meta leader probes it (connect and "
            + "ping) within this time and, if that fails too, fails its slots over at once instead of after "
            + "--data-lease-seconds; 0 turns reports off (default: ${DEFAULT-VALUE})")
    int dataProbeMillis;

    @Option(names = "--client-idle-seconds", defaultValue = "6", description = "session drops a silent client after this (default: ${DEFAULT-VALUE})")
    int clientIdleSeconds;

    @Option(names = "--session-balance-seconds", defaultValue = "5", description = "a session holding clearly more "
            + "than its share of clients moves some to emptier sessions every this many seconds; 0 turns it off "
            + "(default: ${DEFAULT-VALUE})")
    int sessionBalanceSeconds;

    @Option(names = "--session-balance-max-moves", defaultValue = "20", description = "clients a session may move per "
            + "balancing round, or 5%% of its clients if that is more (default: ${DEFAULT-VALUE})")
    int sessionBalanceMaxMoves;

    @Option(names = "--flap-damping-hold-millis", defaultValue = "5000", description = "a client whose link "
            + "flaps (lost twice within about a half-life) keeps its publishers this long after a lost link, so a "
            + "reconnect within it changes nothing for subscribers; a client that does not come back is removed when "
            + "it ends; 0 turns damping off (default: ${DEFAULT-VALUE})")
    long flapDampingHoldMillis;

    @Option(names = "--flap-damping-half-life-seconds", defaultValue = "30", description = "a client's flap "
            + "penalty (1000 per lost link) halves this often (default: ${DEFAULT-VALUE})")
    int flapDampingHalfLifeSeconds;

    @Option(names = "--flap-damping-suppress", defaultValue = "1500", description = "penalty from which a "
            + "client is damped; above 1000, so a first loss always removes at once (default: ${DEFAULT-VALUE})")
    int flapDampingSuppress;

    @Option(names = "--flap-damping-reuse", defaultValue = "750", description = "penalty below which a damped "
            + "client is undamped (default: ${DEFAULT-VALUE})")
    int flapDampingReuse;

    @Option(names = "--flap-damping-max-penalty", defaultValue = "8000", description = "ceiling of a client's "
            + "penalty: bounds how long it stays damped after its link settled (default: ${DEFAULT-VALUE})")
    int flapDampingMaxPenalty;

    @Option(names = "--session-max-connections", defaultValue = "50000", description = "client connections a "
            + "session accepts at once; a connection beyond is closed at once and the client moves on to another "
            + "session; 0 = no limit (default: ${DEFAULT-VALUE})")
    int sessionMaxConnections;

    @Option(names = "--session-max-queued-per-connection", defaultValue = "4096", description = "requests of one "
            + "client connection waiting for a handler; beyond, they are answered UNAVAILABLE (retry) instead of "
            + "queued without end; 0 = no limit (default: ${DEFAULT-VALUE})")
    int sessionMaxQueuedPerConnection;

    @Option(names = "--session-max-publishers-per-connection", defaultValue = "100000", description = "publishers "
            + "one client connection may hold; 0 = no limit (default: ${DEFAULT-VALUE})")
    int sessionMaxPublishersPerConnection;

    @Option(names = "--session-max-subscribers-per-connection", defaultValue = "100000", description = "subscribers "
            + "one client connection may hold; 0 = no limit (default: ${DEFAULT-VALUE})")
    int sessionMaxSubscribersPerConnection;

    @Option(names = "--session-max-requests-per-second", defaultValue = "5000", description = "registration "
            + "requests (register, update, unregister) one client connection may send per second, with bursts of "
            + "twice that; beyond, UNAVAILABLE (retry later); 0 = no limit (default: ${DEFAULT-VALUE})")
    int sessionMaxRequestsPerSecond;

    @Option(names = "--auth-apps-file", paramLabel = "FILE", description = "apps file with the credentials and "
            + "ACLs of client apps (APP.accessKey, APP.secretKey, APP.publish, APP.subscribe); set, sessions accept "
            + "only authenticated clients; reloaded when it changes (default: none, authentication off)")
    Path authAppsFile;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "certificate chain (PEM) of the session's "
            + "client port: with --tls-key, clients connect with TLS (re-read within 10 s of a change) "
            + "(default: none, plain TCP)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "private key (unencrypted PKCS#8 PEM) of "
            + "--tls-cert; never logged (default: none)")
    Path tlsKey;

    @Option(names = "--cluster-tls-cert", paramLabel = "FILE", description = "this node's certificate chain (PEM) "
            + "for mutual TLS between meta, data and session nodes; with --cluster-tls-key and --cluster-tls-ca, "
            + "nodes accept role-to-role connections only from certificates the cluster CA signed (default: none)")
    Path clusterTlsCert;

    @Option(names = "--cluster-tls-key", paramLabel = "FILE", description = "private key (unencrypted PKCS#8 PEM) "
            + "of --cluster-tls-cert; never logged (default: none)")
    Path clusterTlsKey;

    @Option(names = "--cluster-tls-ca", paramLabel = "FILE", description = "the cluster CA (PEM) that signs every "
            + "node's certificate (default: none)")
    Path clusterTlsCa;

    @Option(names = "--session-grace-seconds", defaultValue = "20", description = "data drops a vanished session's publishers after this (default: ${DEFAULT-VALUE})")
    int sessionGraceSeconds;

    @Option(names = "--meta-db-url",
            description = "JDBC URL of the database every meta node shares (leader lease, slot table, switches): "
                    + "jdbc:postgresql://host:5432/db, or jdbc:h2:file:PATH;AUTO_SERVER=TRUE (default: env "
                    + "REGISTRY_META_DB_URL, else the embedded H2 file " + DEFAULT_META_DB + "; with --meta-port 0 "
                    + "a private in-memory H2)")
    String metaDbUrl;

    @Option(names = "--meta-db-user",
            description = "meta database user (default: env REGISTRY_META_DB_USER, else sa for H2)")
    String metaDbUser;

    @Option(names = "--meta-db-password",
            description = "meta database password (default: env REGISTRY_META_DB_PASSWORD; prefer it: a command-line "
                    + "password is visible in ps). Never logged.")
    String metaDbPassword;

    @Option(names = "--meta-lease-millis", defaultValue = "10000",
            description = "meta leader lease: a leader that cannot renew stops leading before this ends, and a "
                    + "follower takes over after it (default: ${DEFAULT-VALUE})")
    long metaLeaseMillis;

    @Option(names = "--meta-renew-millis", defaultValue = "2000",
            description = "how often the meta leader renews its lease and followers try to take it; at most half of "
                    + "the lease minus a tenth (default: ${DEFAULT-VALUE})")
    long metaRenewMillis;

    @Option(names = "--admin-token",
            description = "bearer token for mutating admin endpoints (default: env REGISTRY_ADMIN_TOKEN; unset disables them)")
    String adminToken;

    @Option(names = "--config", paramLabel = "FILE",
            description = "properties file with this node's settings; keys are the long option names without "
                    + "dashes (session-port=9600). Precedence: command line > environment REGISTRY_<KEY> "
                    + "(REGISTRY_SESSION_PORT) > file > default (default: env REGISTRY_CONFIG, else none)")
    Path config;

    enum Role { all, meta, data, session }

    /** Environment variable naming the config file when --config is not given. */
    public static final String CONFIG_ENV = ConfigKey.envVarOf("config");

    /**
     * Every key of the config file, environment and command line (one per option above but --config,
     * --help, --version), with the values it accepts. Checked for every layer, so errors name the source.
     */
    public static final List<ConfigKey> CONFIG_KEYS = List.of(
            ConfigKey.of("role", ValueType.oneOf("all", "meta", "data", "session")),
            ConfigKey.of("host", ValueType.text("a bind address")),
            ConfigKey.of("admin-host", ValueType.text("a bind address")),
            ConfigKey.of("advertise-host", ValueType.text("a host name or address")),
            ConfigKey.of("meta-servers", ValueType.checkedBy("host:port[,host:port...] (every entry with a port)",
                    RegistryClientConfig::parseServers)),
            ConfigKey.of("meta-port", ValueType.port()),
            ConfigKey.of("meta-http-port", ValueType.portOrDisabled()),
            ConfigKey.of("data-port", ValueType.port()),
            ConfigKey.of("data-http-port", ValueType.portOrDisabled()),
            ConfigKey.of("session-port", ValueType.port()),
            ConfigKey.of("session-http-port", ValueType.portOrDisabled()),
            ConfigKey.of("sofa-bolt-port", ValueType.portOrDisabled()),
            ConfigKey.of("slots", ValueType.integer(1, 65536, "a slot count 1..65536")),
            ConfigKey.of("replicas", ValueType.integer(1, 1000, "a replica count 1..1000")),
            ConfigKey.of("data-lease-seconds", ValueType.positive("seconds")),
            ConfigKey.of("data-probe-millis", ValueType.integer(0, 60_000, "milliseconds 0..60000 (0 = off)")),
            ConfigKey.of("client-idle-seconds", ValueType.positive("seconds")),
            ConfigKey.of("session-grace-seconds", ValueType.positive("seconds")),
            ConfigKey.of("session-balance-seconds", ValueType.integer(0, 86_400, "seconds 0..86400 (0 = off)")),
            ConfigKey.of("session-balance-max-moves", ValueType.integer(1, 1_000_000, "a client count 1..1000000")),
            ConfigKey.of("flap-damping-hold-millis", ValueType.integer(0, 600_000, "milliseconds 0..600000 (0 = off)")),
            ConfigKey.of("flap-damping-half-life-seconds", ValueType.integer(1, 86_400, "seconds 1..86400")),
            ConfigKey.of("flap-damping-suppress", ValueType.integer(1001, 1_000_000, "a penalty 1001..1000000")),
            ConfigKey.of("flap-damping-reuse", ValueType.integer(1, 1_000_000, "a penalty 1..1000000")),
            ConfigKey.of("flap-damping-max-penalty", ValueType.integer(1001, 1_000_000, "a penalty 1001..1000000")),
            ConfigKey.of("session-max-connections", ValueType.integer(0, 10_000_000, "a connection count 0..10000000 (0 = no limit)")),
            ConfigKey.of("session-max-queued-per-connection", ValueType.integer(0, 1_000_000, "a request count 0..1000000 (0 = no limit)")),
            ConfigKey.of("session-max-publishers-per-connection", ValueType.integer(0, 100_000_000, "a count 0..100000000 (0 = no limit)")),
            ConfigKey.of("session-max-subscribers-per-connection", ValueType.integer(0, 100_000_000, "a count 0..100000000 (0 = no limit)")),
            ConfigKey.of("session-max-requests-per-second", ValueType.integer(0, 10_000_000, "requests per second 0..10000000 (0 = no limit)")),
            ConfigKey.of("auth-apps-file", ValueType.text("a file path")),
            ConfigKey.of("tls-cert", ValueType.text("a PEM file path")),
            ConfigKey.of("tls-key", ValueType.text("a PEM file path")),
            ConfigKey.of("cluster-tls-cert", ValueType.text("a PEM file path")),
            ConfigKey.of("cluster-tls-key", ValueType.text("a PEM file path")),
            ConfigKey.of("cluster-tls-ca", ValueType.text("a PEM file path")),
            ConfigKey.of("meta-db-url", ValueType.checkedBy("a jdbc:h2:... or jdbc:postgresql://host:port/database URL",
                    SqlDialect::of)),
            ConfigKey.of("meta-db-user", ValueType.text("a database user")),
            ConfigKey.secret("meta-db-password", ValueType.text("a password")),
            ConfigKey.of("meta-lease-millis", ValueType.integer(200, Integer.MAX_VALUE,
                    "a whole number of milliseconds, at least 200")),
            ConfigKey.of("meta-renew-millis", ValueType.positive("milliseconds")),
            ConfigKey.secret("admin-token", ValueType.text("a token")));

    private static final Logger log = LoggerFactory.getLogger(RegistryServerMain.class);

    /** How each option got its value; null when parsed without {@link #configure}. */
    private LayeredConfig configuration;

    /** The embedded meta database of a node started without --meta-db-url. */
    static final String DEFAULT_META_DB = "./data/registry-meta";
    /** --session-port's default; on it, SOFARegistry clients get the fixed Bolt port below. */
    static final int DEFAULT_SESSION_PORT = 9600;
    static final int DEFAULT_SOFA_BOLT_PORT = 9601;

    public static void main(String[] args) {
        // sofa-hessian and the JDK log through java.util.logging: route it into SLF4J.
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(run(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * {@link #main} without the exit: configures from every layer, then runs until stopped.
     *
     * @return 0 after --help/--version; after a stop by SIGTERM or SIGINT 128 + its number (143, 130),
     *         as if the signal had ended the JVM; 2 for a bad configuration (nothing started)
     */
    public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = newCommandLine(new RegistryServerMain());
        commandLine.setOut(out);
        commandLine.setErr(err);
        try {
            ParseResult parsed = commandLine.parseArgs(args);
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            return layered(parsed, env, args).call();
        } catch (ParameterException e) {
            return usageError(err, "command line: " + safeMessage(e));
        } catch (ConfigException e) {
            return usageError(err, e.problems().size() == 1 ? e.getMessage()
                    : e.problems().size() + " configuration problems:\n" + e.getMessage());
        } catch (Exception e) {
            log.error("registry-server failed", e);
            return 1;
        }
    }

    /**
     * The launcher's options from the command line, {@code env} and the config file (named by
     * --config, else by REGISTRY_CONFIG), all checked. Starts nothing.
     *
     * @throws ConfigException      for a bad file, key or value, naming where it came from
     * @throws ParameterException   for a bad command line
     */
    public static RegistryServerMain configure(Map<String, String> env, String... args) {
        return layered(newCommandLine(new RegistryServerMain()).parseArgs(args), env, args);
    }

    /** How each setting got its value: which file, and which keys came from file, environment, command line. */
    public LayeredConfig configuration() {
        return configuration;
    }

    private static CommandLine newCommandLine(RegistryServerMain main) {
        return new CommandLine(main).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** Second pass: picocli parses {@code args} again with the environment and file below them. */
    private static RegistryServerMain layered(ParseResult commandLineOnly, Map<String, String> env, String[] args) {
        RegistryServerMain cliOnly = commandLineOnly.commandSpec().commandLine().getCommand();
        ConfigFile file = null;
        if (cliOnly.config != null) {
            file = ConfigFile.read(cliOnly.config, "--config");
        } else if (env.get(CONFIG_ENV) != null && !env.get(CONFIG_ENV).isBlank()) {
            file = ConfigFile.read(Path.of(env.get(CONFIG_ENV).trim()), CONFIG_ENV);
        }
        Map<String, String> typed = new LinkedHashMap<>();
        for (OptionSpec option : commandLineOnly.matchedOptions()) {
            List<String> values = option.stringValues();
            if (!values.isEmpty()) {
                typed.put(LayeredConfig.keyOf(option), values.get(values.size() - 1));
            }
        }
        LayeredConfig configuration = LayeredConfig.resolve(CONFIG_KEYS, file, env, typed);
        RegistryServerMain main = new RegistryServerMain();
        newCommandLine(main).setDefaultValueProvider(configuration).parseArgs(args);
        main.configuration = configuration;
        main.toSettings(); // combinations (lease vs renew, database URL) fail here, before anything starts
        return main;
    }

    private static int usageError(PrintWriter err, String message) {
        err.println("registry-server: " + message.replace("\n", "\n  "));
        err.println("registry-server --help lists the options; docs/configuration.md every key.");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /**
     * picocli echoes unknown arguments; a mistyped {@code --admin-tokn=SECRET} or the word after
     * it may be a secret, so only option names are shown.
     */
    private static String safeMessage(ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched)) {
            return e.getMessage();
        }
        List<String> names = new ArrayList<>();
        int others = 0;
        for (String arg : unmatched.getUnmatched()) {
            if (arg.startsWith("-")) {
                names.add(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) + "=***" : arg);
            } else {
                others++;
            }
        }
        StringBuilder sb = new StringBuilder("unknown option");
        sb.append(names.size() == 1 ? " " : "s ").append(names.isEmpty() ? "-" : String.join(", ", names));
        if (others > 0) {
            sb.append(" and ").append(others).append(" unexpected argument").append(others == 1 ? "" : "s");
        }
        List<String> known = CONFIG_KEYS.stream().map(ConfigKey::name).toList();
        for (String name : names) {
            LayeredConfig.closest(name.replaceFirst("=.*", ""), known)
                    .ifPresent(k -> sb.append("; did you mean --").append(k).append('?'));
        }
        return sb.toString();
    }

    @Override
    public Integer call() throws Exception {
        if (configuration != null) {
            log.info(configuration.summary());
        }
        RegistryNode node = RegistryNode.start(toSettings());
        GracefulStop stop = GracefulStop.install(node::close);
        System.out.println(node.describe());
        return stop.awaitStopped();
    }

    /** A custom session port (tests, several sessions per host) gets a free Bolt port: discovery announces it. */
    int effectiveSofaBoltPort() {
        if (sofaBoltPort != null) {
            return sofaBoltPort;
        }
        return sessionPort == DEFAULT_SESSION_PORT ? DEFAULT_SOFA_BOLT_PORT : 0;
    }

    /** What {@link RegistryNode#start} runs; checks the combinations single keys cannot. */
    public RegistryNode.Settings toSettings() {
        return new NodeSettingsBuilder(this, configuration).build();
    }
}
