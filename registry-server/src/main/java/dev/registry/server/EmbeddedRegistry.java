package dev.registry.server;

import picocli.CommandLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An all-in-one registry (meta, data and session in this JVM) on free loopback ports, for the
 * tests of applications and integrations, as Curator's TestingServer is for ZooKeeper's:
 *
 * <pre>{@code
 * try (EmbeddedRegistry registry = EmbeddedRegistry.start()) {
 *     RegistryClient client = RegistryClient.start(RegistryClientConfig.builder(registry.servers()).build());
 *     ...
 * }
 * }</pre>
 *
 * {@link #start()} returns once the session is ready (it has a complete slot table and its data
 * server). Close it to stop every role and free its ports.
 */
public final class EmbeddedRegistry implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private final RegistryNode node;

    private EmbeddedRegistry(RegistryNode node) {
        this.node = node;
    }

    /** Our client port and the session's admin port; no SOFARegistry Bolt port. */
    public static EmbeddedRegistry start() {
        return start(false);
    }

    /**
     * @param sofaBoltPort also open the Bolt port SOFARegistry's client (and SOFARPC) use, found via {@link #adminPort()}
     * @param options      launcher options as name/value pairs ({@code "--session-port", "19600"}), over the defaults
     */
    public static EmbeddedRegistry start(boolean sofaBoltPort, String... options) {
        if (options.length % 2 != 0) {
            throw new IllegalArgumentException("options come as name/value pairs");
        }
        java.util.Map<String, String> chosen = new java.util.LinkedHashMap<>();
        String[] defaults = {"--meta-port", "0", "--meta-http-port", "-1", "--data-port", "0", "--data-http-port", "-1",
                "--session-port", "0", "--session-http-port", "0", "--slots", "16",
                "--sofa-bolt-port", sofaBoltPort ? "0" : "-1"};
        for (int i = 0; i < defaults.length; i += 2) {
            chosen.put(defaults[i], defaults[i + 1]);
        }
        for (int i = 0; i < options.length; i += 2) {
            chosen.put(options[i], options[i + 1]);
        }
        List<String> args = new ArrayList<>();
        chosen.forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        RegistryServerMain main = new RegistryServerMain();
        new CommandLine(main).parseArgs(args.toArray(new String[0]));
        RegistryNode node = RegistryNode.start(main.toSettings());
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (!node.session().isReady()) {
            if (System.nanoTime() > deadline) {
                node.close();
                throw new IllegalStateException("the embedded registry was not ready within " + READY_WITHIN.toSeconds() + " s");
            }
            try {
                Thread.sleep(20); // a start-up poll, not a wait for a test's outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                node.close();
                throw new IllegalStateException("interrupted while the embedded registry started", e);
            }
        }
        return new EmbeddedRegistry(node);
    }

    /** {@code 127.0.0.1:PORT} of the session's client port, for {@code RegistryClientConfig.builder} or {@code spring.cloud.registry.servers}. */
    public String servers() {
        return "127.0.0.1:" + clientPort();
    }

    public int clientPort() {
        return node.session().port();
    }

    /** The session's admin HTTP port (also SOFARegistry's discovery endpoint, {@code sofa://127.0.0.1:PORT}). */
    public int adminPort() {
        return node.session().adminPort();
    }

    public RegistryNode node() {
        return node;
    }

    @Override
    public void close() {
        node.close();
    }
}
