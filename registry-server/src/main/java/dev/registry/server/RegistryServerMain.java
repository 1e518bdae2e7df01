package dev.registry.server;

import com.google.common.net.HostAndPort;
import dev.registry.client.RegistryClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Option(names = "--admin-token", defaultValue = "${env:REGISTRY_ADMIN_TOKEN}",
            description = "bearer token for mutating admin endpoints (default: env REGISTRY_ADMIN_TOKEN; unset disables them)")
    String adminToken;

    enum Role { all, meta, data, session }

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
                Duration.ofSeconds(clientIdleSeconds), Duration.ofSeconds(sessionGraceSeconds), adminToken);
    }
}
