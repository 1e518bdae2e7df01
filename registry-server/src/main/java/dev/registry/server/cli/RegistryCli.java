package dev.registry.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/registry-cli.sh}: publish, subscribe and look around a running registry, and
 * operate it. Results go to stdout (tables, or JSON with {@code --json}; subscribe: one JSON
 * line per push), logs and errors to stderr. Exit codes: 0 done, 1 the registry refused or
 * failed it, 2 bad usage, 3 admin token or app credentials missing or refused, 4 unreachable.
 */
@Command(name = "registry-cli", mixinStandardHelpOptions = true, version = "registry-cli 0.1.0",
        description = "Publish to, subscribe from, look at and operate a running registry.",
        subcommands = {RegistryCli.Publish.class, RegistryCli.Subscribe.class, CatalogCommands.Get.class,
                CatalogCommands.Services.class, OperatorCommands.Members.class, OperatorCommands.Slots.class,
                OperatorCommands.Connections.class, OperatorCommands.Drain.class, OperatorCommands.ClientOff.class,
                OperatorCommands.ClientOn.class, OperatorCommands.Push.class,
                picocli.AutoComplete.GenerateCompletion.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the registry refused or failed it", "2:bad usage",
                "3:admin token or app credentials missing or refused", "4:the registry could not be reached"})
public final class RegistryCli implements Callable<Integer> {

    public static void main(String[] args) {
        System.setProperty("logback.configurationFile", "logback-cli.xml");
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the CLI with the given streams; returns the exit code (2 for bad arguments). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine(new RegistryCli());
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            int code = exitCodeOf(e);
            command.getErr().println("registry-cli " + command.getCommandName() + ": " + e.getMessage());
            command.getErr().flush();
            return code;
        });
        return cli.execute(args);
    }

    /** One line and an exit code for a command's failure (the class comment lists the codes). */
    static int exitCodeOf(Exception e) {
        if (e instanceof CliFailure f) {
            return f.exitCode;
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("UNAUTHENTICATED") || m.contains("FORBIDDEN") || m.contains("authentication")) {
            return CliFailure.DENIED;
        }
        if (e instanceof dev.registry.client.RegistryException && (m.contains("no session") || m.contains("reachable"))) {
            return CliFailure.UNREACHABLE;
        }
        return CliFailure.FAILED;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required (--help lists them)");
    }

    /** Options both subcommands share. */
    static class Target {
        @Option(names = "--servers", required = true, description = "session addresses host:port[,host:port...]")
        String servers;

        @Option(names = "--data-id", required = true, description = "the service's dataId")
        String dataId;

        @Option(names = "--group", description = "group (default: DEFAULT_GROUP)")
        String group;

        @Option(names = "--instance-id", description = "instanceId / tenant (default: DEFAULT_INSTANCE_ID)")
        String instanceId;

        @Option(names = "--credentials", paramLabel = "FILE", description = "app credentials (accessKey=, "
                + "secretKey=, optional app=) for sessions with authentication on")
        java.nio.file.Path credentials;

        @Option(names = "--tls-ca", paramLabel = "FILE", description = "connect with TLS, trusting sessions whose "
                + "certificate this CA (PEM) signed")
        java.nio.file.Path tlsCa;

        RegistryClientConfig clientConfig() {
            RegistryClientConfig.Builder b = RegistryClientConfig.builder(servers).appName("registry-cli");
            if (tlsCa != null) {
                b.tlsCa(tlsCa);
            }
            if (credentials != null) {
                b.credentialsFile(credentials);
            }
            return b.build();
        }

        DataInfoId id(String dataIdValue) {
            return DataInfoId.of(dataIdValue, group, instanceId);
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Registers a publisher with value V on D (or on D.0..D.(N-1)) and holds it.")
    static final class Publish implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--value", required = true, description = "the value to publish, e.g. 10.0.0.1:8080")
        String value;

        @Option(names = "--data-ids", defaultValue = "0", description = "publish on N ids D.0 .. D.(N-1) instead of D")
        int dataIds;

        @Option(names = "--hold-seconds", defaultValue = "-1", description = "exit after S seconds (default: until killed)")
        int holdSeconds;

        @Override
        public Integer call() throws Exception {
            if (dataIds < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--data-ids must not be negative");
            }
            List<DataInfoId> ids = new ArrayList<>();
            try {
                if (dataIds == 0) {
                    ids.add(target.id(target.dataId));
                } else {
                    for (int i = 0; i < dataIds; i++) {
                        ids.add(target.id(target.dataId + "." + i));
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try (RegistryClient client = RegistryClient.start(target.clientConfig())) {
                List<Publication> pubs = new ArrayList<>();
                for (DataInfoId id : ids) {
                    pubs.add(client.publish(id, List.of(value)));
                }
                spec.commandLine().getOut().println("published " + pubs.size() + " publisher(s) with value " + value
                        + (ids.size() == 1 ? " on " + ids.get(0).dataId() : " on " + target.dataId + ".0.." + target.dataId + "." + (ids.size() - 1)));
                spec.commandLine().getOut().flush();
                hold(holdSeconds);
            }
            return 0;
        }
    }

    @Command(name = "subscribe", aliases = "watch", mixinStandardHelpOptions = true,
            description = "Subscribes to D and prints one JSON line per push received.")
    static final class Subscribe implements Callable<Integer> {
        private static final ObjectMapper JSON = new ObjectMapper();

        @CommandLine.Mixin
        Target target = new Target();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--seconds", defaultValue = "-1", description = "exit after S seconds (default: until killed)")
        int seconds;

        @Override
        public Integer call() throws Exception {
            DataInfoId id;
            try {
                id = target.id(target.dataId);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            java.io.PrintWriter out = spec.commandLine().getOut();
            try (RegistryClient client = RegistryClient.start(target.clientConfig())) {
                client.subscribe(id, data -> {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("dataId", id.dataId());
                    line.put("group", id.group());
                    line.put("version", data.version());
                    line.put("values", data.values());
                    try {
                        synchronized (out) {
                            out.println(JSON.writeValueAsString(line));
                            out.flush();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                hold(seconds);
            }
            return 0;
        }
    }

    private static void hold(int seconds) throws InterruptedException {
        CountDownLatch forever = new CountDownLatch(1);
        if (seconds < 0) {
            forever.await();
        } else {
            forever.await(seconds, TimeUnit.SECONDS);
        }
    }
}
