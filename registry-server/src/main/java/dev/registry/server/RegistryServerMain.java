package dev.registry.server;

import com.google.common.net.HostAndPort;
import dev.registry.client.RegistryClientConfig;
import dev.registry.meta.lease.LeaseSettings;
import dev.registry.meta.store.MetaDatabase;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry point: runs one role, or all of them in one JVM (the default).
 * {@code scripts/run.sh} starts it; {@code --help} lists every option.
 */
@Command(name = "registry-server", mixinStandardHelpOptions = true, version = "registry-server 0.1.0",
        description = "Runs the sharded registry: meta, data, session roles, or all of them in one process.")
public final class RegistryServerMain implements Callable<Integer> {

    @Option(names = "--role", defaultValue = "all", description = "all | meta | data | session (default: ${DEFAULT-VALUE})")
    Role role;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "bind address of every port (default: ${DEFAULT-VALUE})")
    String host;

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

    @Option(names = "--client-idle-seconds", defaultValue = "6", description = "session drops a silent client after this (default: ${DEFAULT-VALUE})")
    int clientIdleSeconds;

    @Option(names = "--session-grace-seconds", defaultValue = "20", description = "data drops a vanished session's publishers after this (default: ${DEFAULT-VALUE})")
    int sessionGraceSeconds;

    @Option(names = "--meta-db-url", defaultValue = "${env:REGISTRY_META_DB_URL}",
            description = "JDBC URL of the database every meta node shares (leader lease, slot table, switches): "
                    + "jdbc:postgresql://host:5432/db, or jdbc:h2:file:PATH;AUTO_SERVER=TRUE (default: env "
                    + "REGISTRY_META_DB_URL, else the embedded H2 file " + DEFAULT_META_DB + "; with --meta-port 0 "
                    + "a private in-memory H2)")
    String metaDbUrl;

    @Option(names = "--meta-db-user", defaultValue = "${env:REGISTRY_META_DB_USER}",
            description = "meta database user (default: env REGISTRY_META_DB_USER, else sa for H2)")
    String metaDbUser;

    @Option(names = "--meta-db-password", defaultValue = "${env:REGISTRY_META_DB_PASSWORD}",
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

    @Option(names = "--admin-token", defaultValue = "${env:REGISTRY_ADMIN_TOKEN}",
            description = "bearer token for mutating admin endpoints (default: env REGISTRY_ADMIN_TOKEN; unset disables them)")
    String adminToken;

    enum Role { all, meta, data, session }

    /** The embedded meta database of a node started without --meta-db-url. */
    static final String DEFAULT_META_DB = "./data/registry-meta";
    /** --session-port's default; on it, SOFARegistry clients get the fixed Bolt port below. */
    static final int DEFAULT_SESSION_PORT = 9600;
    static final int DEFAULT_SOFA_BOLT_PORT = 9601;

    public static void main(String[] args) {
        // sofa-hessian and the JDK log through java.util.logging: route it into SLF4J.
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(new CommandLine(new RegistryServerMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        RegistryNode node = RegistryNode.start(toSettings());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "registry-shutdown"));
        System.out.println(node.describe());
        stopped.await();
        return 0;
    }

    /** A custom session port (tests, several sessions per host) gets a free Bolt port: discovery announces it. */
    int effectiveSofaBoltPort() {
        if (sofaBoltPort != null) {
            return sofaBoltPort;
        }
        return sessionPort == DEFAULT_SESSION_PORT ? DEFAULT_SOFA_BOLT_PORT : 0;
    }

    RegistryNode.Settings toSettings() {
        if (slots < 1 || slots > 65536) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--slots must be in [1, 65536]");
        }
        String advertise = advertiseHost != null ? advertiseHost : host;
        List<HostAndPort> metas = metaServers != null ? RegistryClientConfig.parseServers(metaServers)
                : List.of(HostAndPort.fromParts(advertise, metaPort));
        return new RegistryNode.Settings(role == Role.all || role == Role.meta, role == Role.all || role == Role.data,
                role == Role.all || role == Role.session, host, advertise, metas, metaPort, metaHttpPort, dataPort,
                dataHttpPort, sessionPort, sessionHttpPort, slots, replicas, Duration.ofSeconds(dataLeaseSeconds),
                Duration.ofSeconds(clientIdleSeconds), Duration.ofSeconds(sessionGraceSeconds), adminToken,
                effectiveSofaBoltPort(), metaDatabase(), metaLease());
    }

    private MetaDatabase metaDatabase() {
        try {
            if (metaDbUrl == null || metaDbUrl.isBlank()) {
                // A meta on a random port has an address nobody can find again: nothing to keep for it.
                return metaPort == 0 ? MetaDatabase.h2InMemory() : MetaDatabase.h2File(Path.of(DEFAULT_META_DB));
            }
            String user = metaDbUser != null ? metaDbUser : metaDbUrl.startsWith("jdbc:h2:") ? "sa" : null;
            return new MetaDatabase(metaDbUrl, user, metaDbPassword);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--meta-db-url: " + e.getMessage());
        }
    }

    private LeaseSettings metaLease() {
        try {
            return new LeaseSettings(Duration.ofMillis(metaLeaseMillis), Duration.ofMillis(metaRenewMillis));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--meta-lease-millis / --meta-renew-millis: "
                    + e.getMessage());
        }
    }
}
