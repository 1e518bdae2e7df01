package dev.registry.bench;

import dev.registry.bench.process.AgentProcess;
import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;
import dev.registry.bench.report.Results;
import dev.registry.bench.target.OursServer;
import dev.registry.bench.target.SofaRegistryServer;
import dev.registry.bench.target.SystemUnderTest;
import dev.registry.bench.target.Workspace;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs the scenarios of issue 9 against each selected system, one system at a time, each on
 * its own fresh server processes, and collects the figures in {@link Results}.
 *
 * <ol>
 *   <li>Registration throughput: N publishers over C connections, time until all acknowledged.</li>
 *   <li>Change→notification latency: M subscribers on L ids, a stream of ticker changes.</li>
 *   <li>Dead provider: kill -9 of a provider process until no subscriber lists it.</li>
 *   <li>Server heap after full GC per publisher and per subscriber.</li>
 *   <li>Idle connections on one server (several loopback source addresses) and its heap.</li>
 *   <li>Failover: kill -9 of a data server (ZooKeeper: the leader) under load ({@link FailoverScenario}).</li>
 *   <li>Scale: a million publishers and subscribers on {@code scripts/cluster.sh} ({@link ScaleScenario};
 *       only when asked for, never in the default set).</li>
 * </ol>
 *
 * <p>Scenarios 1-4 are {@link StandaloneScenarios}, 5 is {@link ConnectionsScenario}; this class
 * runs them and holds what they share: the time budget, progress, servers, agents.
 *
 * <p>Threading: the orchestrator thread runs everything; a daemon prints progress.
 */
final class Bench {
    static final String S1 = "1 registration throughput";
    static final String S2 = "2 change-to-notification latency";
    static final String S3 = "3 dead-provider detection";
    static final String S4 = "4 memory";
    static final String S5 = "5 connections";
    static final String S6 = "6 failover";
    static final String S7 = ScaleScenario.S7;

    private final BenchMain o;
    private final Workspace ws;
    private final Results results = new Results();
    private final long deadline;
    private final long startNanos = System.nanoTime();
    private volatile String phase = "starting";
    private volatile long expected;
    private volatile List<AgentProcess> watched = List.of();

    Bench(BenchMain options, Workspace ws) {
        this.o = options;
        this.ws = ws;
        this.deadline = startNanos + TimeUnit.MINUTES.toNanos(options.budgetMinutes);
    }

    Results results() {
        return results;
    }

    // ---- orchestration ----

    void run(List<String> systems) {
        Thread printer = new Thread(this::printProgress, "bench-progress");
        printer.setDaemon(true);
        printer.start();
        for (String system : systems) {
            if (o.runs(1) || o.runs(2) || o.runs(3) || o.runs(4)) {
                guarded(system, "scenarios 1-4", () -> new StandaloneScenarios(this, o).run(system));
            }
            if (o.runs(5) && !o.smoke) { // smoke: on the server of scenarios 1-4, see StandaloneScenarios
                if (system.equals("sofa")) {
                    results.failure("sofa", S5, "not run: an idle SOFARegistry connection needs its bolt client "
                            + "(several threads per registry-client-all instance); no raw client here");
                } else {
                    guarded(system, S5, () -> new ConnectionsScenario(this, o).run(system));
                }
            }
        }
        if (o.runs(7)) {
            new ScaleScenario(this, o, ws).run(systems);
        }
        if (o.runs(6)) {
            for (String system : systems) {
                if (system.equals("sofa")) {
                    results.failure("sofa", S6, "not run: the SOFARegistry baseline is the all-in-one server, "
                            + "one data server");
                    continue;
                }
                guarded(system + "-cluster", S6, () -> new FailoverScenario(this, o, ws).run(system));
            }
        }
        phase = "done";
    }

    interface Step {
        void run() throws Exception;
    }

    /** Runs one phase; a failure is reported with its reason and the run goes on. Never leaves a process. */
    void guarded(String system, String what, Step step) {
        if (remaining().toSeconds() < 5) {
            results.failure(system, what, "skipped: time budget of " + o.budgetMinutes + " min used up");
            return;
        }
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse(String.valueOf(e));
            log("FAILED %s %s: %s", system, what, e);
            results.failure(system, what, "failed: " + msg);
        } finally {
            watched = List.of();
            Proc.killAll();
        }
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** {@code want}, cut to what is left of the budget. */
    Duration budget(Duration want) {
        Duration left = remaining();
        if (left.isZero()) {
            throw new IllegalStateException("time budget of " + o.budgetMinutes + " min used up");
        }
        return want.compareTo(left) < 0 ? want : left;
    }

    void phase(String label, long expectedCount, List<AgentProcess> agents) {
        agents.forEach(AgentProcess::resetProgress);
        this.phase = label;
        this.expected = expectedCount;
        this.watched = agents;
        log("%s", label);
    }

    private void printProgress() {
        String last = "";
        String lastPhase = "";
        long lastDone = 0;
        long lastAt = System.nanoTime();
        while (!phase.equals("done")) {
            Jvm.sleep(2000);
            long done = watched.stream().mapToLong(AgentProcess::progress).sum();
            long now = System.nanoTime();
            String p = phase;
            // the rate since the last line, once the count moves within one phase
            String rate = p.equals(lastPhase) && done > lastDone
                    ? String.format(Locale.ROOT, " (%,.0f/s)", (done - lastDone) * 1e9 / (now - lastAt)) : "";
            String line = expected > 0 ? String.format(Locale.ROOT, "%s: %,d / %,d", p, done, expected) : p;
            if (!line.equals(last) && !watched.isEmpty()) {
                log("  … %s%s", line, rate);
                last = line;
            }
            lastPhase = p;
            lastDone = done;
            lastAt = now;
        }
    }

    void log(String format, Object... args) {
        long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
        System.out.printf(Locale.ROOT, "[%02d:%02d] %s%n", s / 60, s % 60, String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    // ---- systems, agents and their answers: what the scenarios share ----

    /** A single-node server of {@code system}, noted in the results. */
    SystemUnderTest start(String system, int heapMb) throws Exception {
        log("starting %s (heap %d MB) …", system, heapMb);
        long t0 = System.nanoTime();
        SystemUnderTest sut = switch (system) {
            case "ours" -> OursServer.start(ws, heapMb, o.oursJvmArgs.isBlank() ? List.of()
                    : List.of(o.oursJvmArgs.trim().split("\\s+")));
            case "zookeeper" -> dev.registry.bench.target.ZooKeeperServer.start(ws, heapMb, 1, Jvm.ownClasspath());
            case "sofa" -> SofaRegistryServer.start(ws, heapMb);
            default -> throw new IllegalArgumentException(system);
        };
        log("%s ready in %.1f s", system, (System.nanoTime() - t0) / 1e9);
        results.note(sut.name(), sut.describe());
        return sut;
    }

    AgentProcess agent(SystemUnderTest sut, String name, String driverClass) throws Exception {
        return agent(sut, name, driverClass, o.agentHeapMb);
    }

    AgentProcess agent(SystemUnderTest sut, String name, String driverClass, int heapMb) throws Exception {
        List<String> jvm = new ArrayList<>(List.of(Jvm.java(), "-Xmx" + heapMb + "m", "-Xss512k", "-XX:+UseG1GC"));
        if (o.smoke) {
            jvm.add("-XX:TieredStopAtLevel=1");
        }
        return AgentProcess.start(name, sut.agentPrefix(), jvm, sut.agentClasspath(Jvm.ownClasspath()), driverClass,
                ws.log("agent-" + sut.name() + "-" + name));
    }

    /** Starts and connects agents in parallel. */
    List<AgentProcess> agents(SystemUnderTest sut, String prefix, int count, int clientsEach,
                                      Object... connectOptions) throws Exception {
        List<AgentProcess> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(agent(sut, prefix + i, sut.driverClass()));
        }
        List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
        for (AgentProcess a : out) {
            List<Object> args = new ArrayList<>(List.of("address", sut.clientAddress(), "clients", clientsEach,
                    "payload", o.payload));
            args.addAll(List.of(connectOptions));
            f.add(a.send("connect", args.toArray()));
        }
        for (CompletableFuture<Map<String, String>> x : f) {
            AgentProcess.await(x, budget(Duration.ofMinutes(2)), "connect");
        }
        return out;
    }

    static List<Map<String, String>> all(List<CompletableFuture<Map<String, String>>> fs, Duration timeout,
                                                 String what) {
        List<Map<String, String>> out = new ArrayList<>();
        for (CompletableFuture<Map<String, String>> f : fs) {
            out.add(AgentProcess.await(f, timeout, what));
        }
        return out;
    }

    private int heapSnapshots;

    /** Live heap after a full GC; the class histogram is kept in the logs folder for analysis. */
    long heap(SystemUnderTest sut) {
        long b = Jvm.liveHeapBytes(sut.heapPid(), ws.log("heap-" + sut.name() + "-" + (++heapSnapshots)));
        log("  %s live heap after full GC: %.1f MB", sut.name(), b / 1048576.0);
        return b;
    }

    static long sum(List<Map<String, String>> answers, String key) {
        return answers.stream().mapToLong(a -> Long.parseLong(a.getOrDefault(key, "0"))).sum();
    }

    static Histogram histogram(Map<String, String> stats) {
        byte[] bytes = Base64.getDecoder().decode(stats.get("hist"));
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException("bad histogram from agent", e);
        }
    }

    static double ms(Histogram h, double percentile) {
        return (percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile)) / 1000.0;
    }

    /**
     * Registers {@code count} publishers on services {@code prefix-0 .. prefix-(dataIds-1)}, split over
     * the agents; returns {rate (acknowledged per second), seconds, failed}.
     */
    /**
     * Registers {@code round} publishers on services the measured run does not use, then further
     * rounds until the warm-up has lasted {@code --warmup-seconds}: the measured run then times
     * JVMs whose compilers are done, as a long-running registry's are. Every system gets the same
     * time, not the same count; a faster one stores more before its measured run, which costs it.
     * Reports the warm-up's own rate under scenario 1 if {@code report}.
     */
    void warmUp(SystemUnderTest sut, List<AgentProcess> pubs, int round, String prefix, int dataIds, int clientsEach,
                boolean report) throws Exception {
        if (round <= 0) {
            return;
        }
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(o.warmupSeconds);
        long registered = 0;
        long failed = 0;
        int rounds = 0;
        do {
            phase(sut.name() + " warm-up round " + (rounds + 1) + ": " + round + " publishers on other services",
                    round, pubs);
            double[] w = register(sut, pubs, round, rounds == 0 ? prefix : prefix + rounds, dataIds, clientsEach,
                    o.threadsPerClient, o.inflightPerClient);
            registered += round;
            failed += (long) w[2];
            rounds++;
        } while (System.nanoTime() < deadline);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (report) {
            results.add(sut.name(), S1, "registrations/s of the warm-up (cold JVMs)", "1/s", Results.Better.HIGHER,
                    (registered - failed) / seconds,
                    String.format(Locale.ROOT, "%,d publishers on other services in %.0f s (%d rounds), before the measured run",
                            registered, seconds, rounds) + (failed > 0 ? ", " + failed + " failed" : ""));
        }
    }

    double[] register(SystemUnderTest sut, List<AgentProcess> pubs, int count, String prefix, int dataIds,
                      int clientsEach, int threadsPerClient, int inflightPerClient) throws Exception {
        // Blocking clients need a thread per registration in flight; asynchronous ones a few threads in all.
        int threads = sut.publishesAsynchronously() ? o.asyncPublishThreads : threadsPerClient * clientsEach;
        int procs = pubs.size();
        int per = count / procs;
        List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < procs; i++) {
            int n = i == procs - 1 ? count - per * (procs - 1) : per;
            f.add(pubs.get(i).send("publish", "count", n, "start", i * per, "ids", dataIds, "prefix", prefix,
                    "threads", threads, "inflight", inflightPerClient * clientsEach,
                    "timeoutMs", budget(Duration.ofMinutes(8)).toMillis()));
        }
        List<Map<String, String>> answers = all(f, budget(Duration.ofMinutes(9)), "publish");
        double seconds = (System.nanoTime() - t0) / 1e9;
        long failed = sum(answers, "failed") + sum(answers, "unacked");
        double rate = (count - failed) / seconds;
        log("  %,d registrations (%s-*) in %.2f s = %,.0f/s (%d failed)", count, prefix, seconds, rate, failed);
        return new double[] {rate, seconds, failed};
    }

    static <T> T orElse(Supplier<T> s, T fallback) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
