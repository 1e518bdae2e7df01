package dev.registry.bench;

import dev.registry.bench.process.Proc;
import dev.registry.bench.report.ReportWriter;
import dev.registry.bench.report.Results;
import dev.registry.bench.target.Workspace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * The load generator: starts the registries under test as separate processes, drives them from
 * separate client processes, prints progress, and writes a Markdown table, CSV and SVG charts.
 * {@code scripts/bench.sh} runs it; {@code --help} lists every option.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmarks this registry side by side with ZooKeeper (Curator discovery) and SOFARegistry 6.3.0.")
public final class BenchMain implements Callable<Integer> {

    @Option(names = "--target", defaultValue = "both",
            description = "ours | zookeeper | sofa | both (ours + zookeeper) | all (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--scenarios", defaultValue = "1,2,3,4,5,6", split = ",",
            description = "scenarios to run: 1 registration, 2 latency, 3 dead provider, 4 memory, 5 connections, 6 failover, "
                    + "7 scale (a million registrations on scripts/cluster.sh; only when named, see --scale)")
    Set<Integer> scenarios;

    @Option(names = "--scale", description = "the scale run alone (same as --scenarios 7)")
    boolean scale;

    @Option(names = "--smoke", description = "tiny sizes, ours + zookeeper, scenarios 1-5, seconds (what the CI test runs)")
    boolean smoke;

    @Option(names = "--publishers", defaultValue = "100000", description = "scenario 1 and 4: publishers (default: ${DEFAULT-VALUE})")
    int publishers;

    @Option(names = "--warmup-publishers", defaultValue = "50000",
            description = "publishers registered on other services through the same connections before scenario 1 and before "
                    + "scenario 6's registration phase (at most as many as measured), so those figures measure warm JVMs as a "
                    + "long-running registry is; the warm-up's own rate is reported too; 0: none (default: ${DEFAULT-VALUE})")
    int warmupPublishers;

    @Option(names = "--warmup-seconds", defaultValue = "30",
            description = "scenarios 1 and 6: the warm-up goes on, in rounds of --warmup-publishers on further services, until it has "
                    + "lasted this long, the same time for every system: on 2 busy cores the JIT compilers of the server and "
                    + "of the agents are still working through their queues 25 s into a run, so a count alone would time "
                    + "compilation rather than the registry; 0: the count only (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--sofa-publishers", defaultValue = "10000",
            description = "cap of publishers and of memory subscribers for SOFARegistry, which registers ~1k/s (default: ${DEFAULT-VALUE})")
    int sofaPublishers;

    @Option(names = "--data-ids", defaultValue = "500", description = "service names the publishers spread over (default: ${DEFAULT-VALUE})")
    int dataIds;

    @Option(names = "--payload", defaultValue = "200", description = "bytes of each published value (default: ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--clients", defaultValue = "20", description = "client connections of the publishers (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--client-processes", defaultValue = "2", description = "agent processes the publishers' connections are split over (default: ${DEFAULT-VALUE})")
    int clientProcesses;

    @Option(names = "--threads-per-client", defaultValue = "4", description = "threads issuing registrations per connection: registrations in flight for blocking clients (ZooKeeper) (default: ${DEFAULT-VALUE})")
    int threadsPerClient;

    @Option(names = "--async-publish-threads", defaultValue = "2",
            description = "threads issuing registrations in each agent for asynchronous clients (ours, SOFARegistry), which "
                    + "keep --inflight-per-client in flight per connection without a thread each, as an application "
                    + "registering at start-up would (default: ${DEFAULT-VALUE})")
    int asyncPublishThreads;

    @Option(names = "--inflight-per-client", defaultValue = "256", description = "registrations in flight per connection for "
            + "asynchronous clients (ours: RegistryClient.publishAsync, whose own default bound is 256 per connection; "
            + "SOFARegistry) (default: ${DEFAULT-VALUE})")
    int inflightPerClient;

    @Option(names = "--subscribers", defaultValue = "200", description = "scenario 2: subscribers (default: ${DEFAULT-VALUE})")
    int subscribers;

    @Option(names = "--subscriber-clients", defaultValue = "10", description = "scenario 2-4: connections of the subscriber agent (default: ${DEFAULT-VALUE})")
    int subscriberClients;

    @Option(names = "--latency-data-ids", defaultValue = "50", description = "scenario 2: ids the subscribers watch and the changes go to (default: ${DEFAULT-VALUE})")
    int latencyDataIds;

    @Option(names = "--change-rate", defaultValue = "100", description = "scenario 2: changes per second (default: ${DEFAULT-VALUE})")
    int changeRate;

    @Option(names = "--change-seconds", defaultValue = "20", description = "scenario 2: seconds of changes (default: ${DEFAULT-VALUE})")
    int changeSeconds;

    @Option(names = "--change-warmup-seconds", defaultValue = "20",
            description = "scenario 2: seconds of the same changes before the measured ones, not timed, so the latency is "
                    + "that of warm JVMs as a long-running registry's is (the push path compiles only once changes flow); "
                    + "0: none (default: ${DEFAULT-VALUE})")
    int changeWarmupSeconds;

    @Option(names = "--mem-subscribers", defaultValue = "100000", description = "scenario 4: subscribers for heap per subscriber (default: ${DEFAULT-VALUE})")
    int memSubscribers;

    @Option(names = "--mem-data-ids", defaultValue = "10000", description = "scenario 4: ids of those subscribers (default: ${DEFAULT-VALUE})")
    int memDataIds;

    @Option(names = "--dead-data-ids", defaultValue = "10", description = "scenario 3: publishers of the killed provider, one per id (default: ${DEFAULT-VALUE})")
    int deadDataIds;

    @Option(names = "--dead-subscribers", defaultValue = "50", description = "scenario 3: subscribers watching them (default: ${DEFAULT-VALUE})")
    int deadSubscribers;

    @Option(names = "--zk-tuned-session-ms", defaultValue = "4000", description = "scenario 3: tuned ZooKeeper session timeout (default: ${DEFAULT-VALUE}, the server minimum)")
    int zkTunedSessionMs;

    @Option(names = "--zk-default-session", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "scenario 3: also kill a provider with Curator's default session (waits ~40 s)")
    boolean zkDefaultSession;

    @Option(names = "--connections", defaultValue = "19000",
            description = "scenario 5: idle connections to one server (default: ${DEFAULT-VALUE}; a process may open 20,000 files here)")
    int connections;

    @Option(names = "--connection-processes", defaultValue = "2", description = "scenario 5: agent processes opening them (default: ${DEFAULT-VALUE})")
    int connectionProcesses;

    @Option(names = "--sources", defaultValue = "127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5",
            description = "scenario 5: loopback source addresses (default: ${DEFAULT-VALUE})")
    String sources;

    @Option(names = "--failover-publishers", defaultValue = "20000",
            description = "scenario 6: publishers registered (the cluster's registrations/s) and kept through the kill (default: ${DEFAULT-VALUE})")
    int failoverPublishers;

    @Option(names = "--failover-data-ids", defaultValue = "100", description = "scenario 6 (default: ${DEFAULT-VALUE})")
    int failoverDataIds;

    @Option(names = "--failover-subscribers", defaultValue = "200", description = "scenario 6 (default: ${DEFAULT-VALUE})")
    int failoverSubscribers;

    @Option(names = "--failover-clients", defaultValue = "4", description = "scenario 6: connections per agent (default: ${DEFAULT-VALUE})")
    int failoverClients;

    @Option(names = "--failover-rate", defaultValue = "50", description = "scenario 6: changes per second (default: ${DEFAULT-VALUE})")
    int failoverRate;

    @Option(names = "--failover-observe-seconds", defaultValue = "30", description = "scenario 6: seconds to observe after the kill (default: ${DEFAULT-VALUE})")
    int failoverObserveSeconds;

    @Option(names = "--scale-publishers", defaultValue = "1000000", description = "scenario 7: publishers (default: ${DEFAULT-VALUE})")
    int scalePublishers;

    @Option(names = "--scale-subscribers", defaultValue = "1000000",
            description = "scenario 7: subscribers; 0 registers publishers only (default: ${DEFAULT-VALUE})")
    int scaleSubscribers;

    @Option(names = "--scale-ids", defaultValue = "0",
            description = "scenario 7: ids the publishers and subscribers spread over (default: one per 10 publishers)")
    int scaleIds;

    @Option(names = "--scale-hot-subscribers", defaultValue = "10000",
            description = "scenario 7: subscribers of the hot id, at most half of all (default: ${DEFAULT-VALUE})")
    int scaleHotSubscribers;

    @Option(names = "--scale-data", defaultValue = "4", split = ",",
            description = "scenario 7: data servers of ours; several (e.g. 2,4) run the scenario once per count (default: ${DEFAULT-VALUE})")
    List<Integer> scaleData;

    @Option(names = "--scale-sessions", defaultValue = "3", description = "scenario 7: sessions of ours (default: ${DEFAULT-VALUE})")
    int scaleSessions;

    @Option(names = "--scale-zk-nodes", defaultValue = "1,3", split = ",",
            description = "scenario 7: ZooKeeper sizes, 1 = standalone, 3 = ensemble (default: ${DEFAULT-VALUE})")
    List<Integer> scaleZkNodes;

    @Option(names = "--scale-zk-watches", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "scenario 7: also set one child watch per subscriber on ZooKeeper (default: ${DEFAULT-VALUE})")
    boolean scaleZkWatches;

    @Option(names = "--scale-publisher-agents", defaultValue = "4", description = "scenario 7 (default: ${DEFAULT-VALUE})")
    int scalePublisherAgents;

    @Option(names = "--scale-subscriber-agents", defaultValue = "4", description = "scenario 7 (default: ${DEFAULT-VALUE})")
    int scaleSubscriberAgents;

    @Option(names = "--scale-connections", defaultValue = "64", description = "scenario 7: client connections per agent (default: ${DEFAULT-VALUE})")
    int scaleConnections;

    @Option(names = "--scale-inflight", defaultValue = "128",
            description = "scenario 7: blocking registrations in flight per agent (default: ${DEFAULT-VALUE})")
    int scaleInflight;

    @Option(names = "--scale-hot-changes", defaultValue = "5", description = "scenario 7: changes of the hot id, timed one by one (default: ${DEFAULT-VALUE})")
    int scaleHotChanges;

    @Option(names = "--scale-probe-ids", defaultValue = "250",
            description = "scenario 7: ids with a ticker whose subscribers time the recovery after the kill (default: ${DEFAULT-VALUE})")
    int scaleProbeIds;

    @Option(names = "--scale-change-rate", defaultValue = "125", description = "scenario 7: ticker changes/s around the kill (default: ${DEFAULT-VALUE})")
    int scaleChangeRate;

    @Option(names = "--scale-observe-seconds", defaultValue = "60", description = "scenario 7: seconds observed after the kill (default: ${DEFAULT-VALUE})")
    int scaleObserveSeconds;

    @Option(names = "--scale-kill", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "scenario 7: kill -9 a data server at the end (default: ${DEFAULT-VALUE})")
    boolean scaleKill;

    @Option(names = "--scale-data-heap-mb", defaultValue = "2048", description = "scenario 7: heap of each data server (default: ${DEFAULT-VALUE})")
    int scaleDataHeapMb;

    @Option(names = "--scale-session-heap-mb", defaultValue = "2048", description = "scenario 7: heap of each session (default: ${DEFAULT-VALUE})")
    int scaleSessionHeapMb;

    @Option(names = "--scale-meta-heap-mb", defaultValue = "256", description = "scenario 7: heap of meta (default: ${DEFAULT-VALUE})")
    int scaleMetaHeapMb;

    @Option(names = "--scale-zk-heap-mb", defaultValue = "3072", description = "scenario 7: heap of each ZooKeeper node (default: ${DEFAULT-VALUE})")
    int scaleZkHeapMb;

    @Option(names = "--scale-agent-heap-mb", defaultValue = "1536", description = "scenario 7: heap of each agent (default: ${DEFAULT-VALUE})")
    int scaleAgentHeapMb;

    @Option(names = "--scale-server-jvm-args", defaultValue = "",
            description = "scenario 7: extra JVM options of ours' data servers and sessions")
    String scaleServerJvmArgs;

    @Option(names = "--scale-jfr", description = "scenario 7: a flight recording (profile settings) in every data server and "
            + "session, dumped into the logs folder after each step")
    boolean scaleJfr;

    @Option(names = "--scale-base-port", defaultValue = "11700",
            description = "scenario 7: --base-port of scripts/cluster.sh (default: ${DEFAULT-VALUE}; it uses base..base+191)")
    int scaleBasePort;

    @Option(names = "--cluster-script", defaultValue = "scripts/cluster.sh", description = "scenario 7 (default: ${DEFAULT-VALUE})")
    Path clusterScript;

    @Option(names = "--server-heap-mb", defaultValue = "2048", description = "heap of every single-node server (default: ${DEFAULT-VALUE})")
    int serverHeapMb;

    @Option(names = "--connections-heap-mb", defaultValue = "1024", description = "scenario 5: server heap (default: ${DEFAULT-VALUE})")
    int connectionsHeapMb;

    @Option(names = "--cluster-heap-mb", defaultValue = "512", description = "scenario 6: heap of each cluster JVM (default: ${DEFAULT-VALUE})")
    int clusterHeapMb;

    @Option(names = "--agent-heap-mb", defaultValue = "1024", description = "heap of each client agent (default: ${DEFAULT-VALUE})")
    int agentHeapMb;

    @Option(names = "--ours-jvm-args", defaultValue = "",
            description = "extra JVM options of ours' all-in-one server, e.g. to record a flight recording")
    String oursJvmArgs;

    @Option(names = "--budget-minutes", defaultValue = "15", description = "stop by itself after this (default: ${DEFAULT-VALUE})")
    int budgetMinutes;

    @Option(names = "--out", description = "results folder (default: registry-bench/results/latest, or …/smoke with --smoke)")
    Path out;

    @Option(names = "--work-dir", description = "logs and server data (default: a new temp folder)")
    Path workDir;

    @Option(names = "--server-jar", defaultValue = "registry-server/target/registry-server-0.1.0-SNAPSHOT-all.jar",
            description = "runnable jar of ours (default: ${DEFAULT-VALUE})")
    Path serverJar;

    @Option(names = "--sofa-home", defaultValue = "registry-bench/target/sofa",
            description = "folder with SOFARegistry's server-lib/ and client-lib/ (default: ${DEFAULT-VALUE})")
    Path sofaHome;

    @Option(names = "--netns", description = "network namespace name for SOFARegistry (default: regbench-<pid>)")
    String netns;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--command-line", hidden = true, description = "the command as typed, for the report")
    String commandLine;

    @Option(names = "--adopted-pids", hidden = true,
            description = "file to append the ids of processes a script started for the bench (bench.sh kills them on exit)")
    Path adoptedPids;

    boolean runs(int scenario) {
        return scenarios.contains(scenario);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the bench in this JVM (the smoke test calls this); returns the exit code. */
    public static int run(String... args) {
        return new CommandLine(new BenchMain()).execute(args);
    }

    /** Shrinks every size to a few seconds' worth. */
    private void applySmoke() {
        publishers = 300;
        warmupPublishers = 100;
        warmupSeconds = 0;
        sofaPublishers = 300;
        dataIds = 10;
        clients = 4;
        clientProcesses = 1;
        threadsPerClient = 2;
        subscribers = 20;
        subscriberClients = 4;
        latencyDataIds = 5;
        changeRate = 20;
        changeSeconds = 3;
        changeWarmupSeconds = 1;
        memSubscribers = 200;
        memDataIds = 50;
        deadDataIds = 2;
        deadSubscribers = 4;
        zkDefaultSession = false;
        connections = 100;
        connectionProcesses = 1;
        failoverPublishers = 100;
        failoverDataIds = 10;
        failoverSubscribers = 20;
        failoverClients = 2;
        failoverRate = 20;
        failoverObserveSeconds = 15;
        serverHeapMb = 256;
        connectionsHeapMb = 256;
        clusterHeapMb = 128;
        agentHeapMb = 256;
        budgetMinutes = Math.min(budgetMinutes, 3);
    }

    @Override
    public Integer call() throws Exception {
        String as = target.toLowerCase(Locale.ROOT);
        List<String> systems = switch (as) {
            case "ours" -> List.of("ours");
            case "zookeeper", "zk" -> List.of("zookeeper");
            case "sofa" -> List.of("sofa");
            case "both" -> List.of("ours", "zookeeper");
            case "all" -> List.of("ours", "zookeeper", "sofa");
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "unknown --target " + target);
        };
        if (scale) {
            scenarios = new TreeSet<>(List.of(7));
        }
        if (smoke) {
            applySmoke();
            if (!spec.commandLine().getParseResult().hasMatchedOption("--scenarios")) {
                scenarios = new TreeSet<>(List.of(1, 2, 3, 4, 5));
            }
        }
        if (out == null) {
            out = Path.of(smoke ? "registry-bench/results/smoke" : "registry-bench/results/latest");
        }
        if (!Files.isRegularFile(serverJar) && (systems.contains("ours"))) {
            System.err.println("no runnable jar of ours at " + serverJar.toAbsolutePath()
                    + " (build it: mvn -B -DskipTests package)");
            return 2;
        }
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("registry-bench-");
        String ns = netns != null ? netns : "regbench-" + ProcessHandle.current().pid();
        Workspace ws = new Workspace(work, serverJar.toAbsolutePath(), sofaHome.toAbsolutePath(), ns);
        if (adoptedPids != null) {
            Proc.recordAdoptedPidsIn(adoptedPids);
        }
        Thread hook = new Thread(Proc::killAll, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        loadAtStart = loadAverage();
        Bench bench = new Bench(this, ws);
        String started = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        bench.log("bench: systems %s, scenarios %s%s; logs in %s", systems, new TreeSet<>(scenarios),
                smoke ? " (smoke)" : "", work);
        try {
            bench.run(systems);
        } finally {
            Proc.killAll();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        Results r = bench.results();
        List<String> header = header(systems, started);
        String md = ReportWriter.write(r, out, header, Targets.check(r));
        bench.log("results in %s", out.toAbsolutePath());
        System.out.println();
        System.out.println(md);
        return r.values().isEmpty() ? 1 : 0;
    }

    private List<String> header(List<String> systems, String started) {
        List<String> h = new ArrayList<>();
        h.add("# Benchmark results" + (smoke ? " (smoke sizes)" : ""));
        h.add("");
        h.add("- Command: `" + (commandLine != null ? commandLine : "bench " + String.join(" ", rawArgs())) + "`");
        h.add("- Date: " + started);
        h.add("- Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), "
                + memory() + " RAM, " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        h.add("- Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        h.add("- Load average when it started (other work on the machine perturbs the figures): " + loadAtStart);
        h.add("- Code: " + gitDescribe());
        h.add("- Systems: " + String.join(", ", systems) + "; scenarios " + new TreeSet<>(scenarios)
                .stream().map(String::valueOf).collect(Collectors.joining(",")));
        if (scenarios.stream().anyMatch(s -> s < 7)) {
            h.add(sizes());
        }
        if (runs(7)) {
            h.add(String.format(Locale.ROOT, "- Scale (scenario 7): %,d publishers and %,d subscribers on %,d ids (hot id: %,d "
                            + "subscribers), %d B values; ours with %s data servers and %d sessions (heaps: data %d MB, session "
                            + "%d MB); ZooKeeper %s node(s), %d MB each; %d + %d agents × %d connections, %d registrations in "
                            + "flight per agent", scalePublishers, scaleSubscribers, ScaleScenario.ids(this),
                    ScaleScenario.hot(this), payload, scaleData, scaleSessions, scaleDataHeapMb, scaleSessionHeapMb,
                    scaleZkNodes, scaleZkHeapMb, scalePublisherAgents, scaleSubscriberAgents, scaleConnections, scaleInflight));
        }
        h.add("- Ours' push policy: a change is pushed at once unless a round of its id is in flight (changes during "
                + "a round merge into one more); storm bound 20 rounds back to back, then 20/s per id. Ours' clients "
                + "publish asynchronously (RegistryClient.publishAsync; the bench keeps --inflight-per-client, 256, in flight per connection). "
                + "SOFARegistry's defaults: change debounce 1,000 ms, push debounce 500 ms.");
        return h;
    }

    /** The sizes of scenarios 1-6, for the report header. */
    private String sizes() {
        return String.format(Locale.ROOT, "- Sizes: %,d publishers (SOFARegistry: %,d) on %d ids, %d B values, %d connections "
                        + "in %d processes × %d threads each (asynchronous clients: %d); %d subscribers on %d ids, %d changes/s for %d s (after %d s not timed); %,d memory "
                        + "subscribers on %,d ids; %,d idle connections; failover: %,d publishers, %d subscribers, %d changes/s; "
                        + "warm-up before scenarios 1 and 6: %,d publishers on other services (rounds of them for at least %d s)",
                publishers, Math.min(publishers, sofaPublishers), dataIds, payload, clients, clientProcesses,
                threadsPerClient * Math.max(1, clients / clientProcesses), asyncPublishThreads, subscribers, Math.min(latencyDataIds, dataIds),
                changeRate, changeSeconds, changeWarmupSeconds, memSubscribers, memDataIds, connections, failoverPublishers, failoverSubscribers,
                failoverRate, warmupPublishers, warmupSeconds);
    }

    private List<String> rawArgs() {
        return spec.commandLine().getParseResult().originalArgs();
    }

    private String loadAtStart = "?";

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " / " + f[1] + " / " + f[2] + " (1 / 5 / 15 min)";
        } catch (IOException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> String.format(Locale.ROOT, "%.1f GiB",
                            Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0)).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String gitDescribe() {
        try {
            Process p = new ProcessBuilder("git", "describe", "--always", "--dirty").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? "commit " + s : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
