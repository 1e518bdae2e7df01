package dev.registry.bench;

import dev.registry.bench.process.AgentProcess;
import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;
import dev.registry.bench.report.Results;
import dev.registry.bench.report.Results.Better;
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
                guarded(system, "scenarios 1-4", () -> standalone(system));
            }
            if (o.runs(5) && !o.smoke) { // smoke: on the server of scenarios 1-4, see standalone()
                if (system.equals("sofa")) {
                    results.failure("sofa", S5, "not run: an idle SOFARegistry connection needs its bolt client "
                            + "(several threads per registry-client-all instance); no raw client here");
                } else {
                    guarded(system, S5, () -> connections(system));
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

    // ---- systems and agents ----

    private SystemUnderTest start(String system, int heapMb) throws Exception {
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

    private AgentProcess agent(SystemUnderTest sut, String name, String driverClass) throws Exception {
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
    private long heap(SystemUnderTest sut) {
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
    double[] register(List<AgentProcess> pubs, int count, String prefix, int dataIds, int clientsEach,
                              int threadsPerClient, int inflightPerClient) throws Exception {
        int procs = pubs.size();
        int per = count / procs;
        List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < procs; i++) {
            int n = i == procs - 1 ? count - per * (procs - 1) : per;
            f.add(pubs.get(i).send("publish", "count", n, "start", i * per, "ids", dataIds, "prefix", prefix,
                    "threads", threadsPerClient * clientsEach, "inflight", inflightPerClient * clientsEach,
                    "timeoutMs", budget(Duration.ofMinutes(8)).toMillis()));
        }
        List<Map<String, String>> answers = all(f, budget(Duration.ofMinutes(9)), "publish");
        double seconds = (System.nanoTime() - t0) / 1e9;
        long failed = sum(answers, "failed") + sum(answers, "unacked");
        double rate = (count - failed) / seconds;
        log("  %,d registrations (%s-*) in %.2f s = %,.0f/s (%d failed)", count, prefix, seconds, rate, failed);
        return new double[] {rate, seconds, failed};
    }

    // ---- scenarios 1 to 4 on the single-node system ----

    private void standalone(String system) throws Exception {
        boolean sofa = system.equals("sofa");
        int publishers = sofa ? Math.min(o.publishers, o.sofaPublishers) : o.publishers;
        int memSubscribers = sofa ? Math.min(o.memSubscribers, o.sofaPublishers) : o.memSubscribers;
        SystemUnderTest sut = start(system, o.serverHeapMb);
        try {
            int procs = o.clientProcesses;
            int clientsEach = Math.max(1, o.clients / procs);
            List<AgentProcess> pubs = agents(sut, "pub", procs, clientsEach);
            AgentProcess sub = agents(sut, "sub", 1, o.subscriberClients).get(0);
            // Warm-up (before the heap baseline, so scenario 4's per-publisher figure excludes it).
            int warmup = Math.min(o.warmupPublishers, publishers);
            if (warmup > 0) {
                phase(system + " S1 warm-up: " + warmup + " publishers on other services", warmup, pubs);
                double[] w = register(pubs, warmup, "warm", o.dataIds, clientsEach, o.threadsPerClient, o.inflightPerClient);
                if (o.runs(1)) {
                    results.add(system, S1, "registrations/s of the warm-up (cold JVMs)", "1/s", Better.HIGHER, w[0],
                            String.format(Locale.ROOT, "%,d publishers on other services, before the measured run", warmup));
                }
            }
            long heap0 = heap(sut);

            // 1: registration throughput
            phase(system + " S1: " + publishers + " publishers over " + clientsEach * procs + " connections", publishers, pubs);
            double[] r = register(pubs, publishers, "svc", o.dataIds, clientsEach, o.threadsPerClient, o.inflightPerClient);
            double rate = r[0];
            double seconds = r[1];
            long failed = (long) r[2];
            if (o.runs(1)) {
                results.add(system, S1, "registrations/s", "1/s", Better.HIGHER, rate);
                results.add(system, S1, "time until all acknowledged", "s", Better.LOWER, seconds,
                        String.format(Locale.ROOT, "%,d publishers, %d connections", publishers, clientsEach * procs)
                                + (failed > 0 ? ", " + failed + " failed" : ""));
            }

            // 4a: heap per publisher
            if (o.runs(4)) {
                long heap1 = heap(sut);
                double perPublisher = (heap1 - heap0) / (double) publishers;
                int copies = system.equals("zookeeper") ? 1 : 2;
                results.add(system, S4, "heap per publisher", "B", Better.LOWER, perPublisher,
                        String.format(Locale.ROOT, "%,d publishers", publishers));
                results.add(system, S4, "heap per stored copy of a publisher", "B", Better.LOWER, perPublisher / copies,
                        copies == 1 ? "1 copy: the DataTree" : "2 copies: session + data store");
            }

            // 2: change -> notification latency
            if (o.runs(2)) {
                latency(system, sut, pubs.get(0), sub, publishers);
            }

            // 4b: heap per subscriber
            if (o.runs(4)) {
                phase(system + " S4: " + memSubscribers + " subscribers on " + o.memDataIds + " more ids", memSubscribers,
                        List.of(sub));
                sub.call(budget(Duration.ofMinutes(5)), "prepare", "ids", o.memDataIds, "prefix", "mem");
                long heap2 = heap(sut);
                Map<String, String> a = sub.call(budget(Duration.ofMinutes(8)), "watchOnly", "count", memSubscribers,
                        "ids", o.memDataIds, "prefix", "mem", "threads", 8);
                long heap3 = heap(sut);
                long failedSubs = Long.parseLong(a.get("failed")) + Long.parseLong(a.get("unacked"));
                results.add(system, S4, "heap per subscriber", "B", Better.LOWER,
                        (heap3 - heap2) / (double) (memSubscribers - failedSubs),
                        String.format(Locale.ROOT, "%,d subscribers%s", memSubscribers - failedSubs,
                                system.startsWith("zookeeper") ? "; each a child watch of its own (connection, path)" : ""));
            }

            // 3: dead provider
            if (o.runs(3)) {
                if (system.equals("zookeeper")) {
                    deadProvider(sut, sub, "tuned", "tuned timeout", "sessionTimeoutMs", o.zkTunedSessionMs);
                    if (o.zkDefaultSession) {
                        deadProvider(sut, sub, "default", "default timeout");
                    } else {
                        results.failure(system, S3, "default session timeout (40 s) not run (smoke)");
                    }
                } else {
                    deadProvider(sut, sub, "default", "default timeout");
                }
            }
            if (o.smoke && o.runs(5) && !sofa) {
                connections(sut); // one server start less: smoke checks the path, not the heap figure
            }
        } finally {
            sut.close();
        }
    }

    private void latency(String system, SystemUnderTest sut, AgentProcess changer, AgentProcess sub, int publishers) {
        int ids = Math.min(o.latencyDataIds, o.dataIds);
        phase(system + " S2: " + o.subscribers + " subscribers on " + ids + " ids", o.subscribers, List.of(sub));
        changer.call(budget(Duration.ofMinutes(2)), "ticker", "ids", ids, "prefix", "svc");
        sub.call(budget(Duration.ofMinutes(5)), "subscribe", "count", o.subscribers, "ids", ids, "prefix", "svc",
                "total", publishers, "spread", o.dataIds, "ticker", true, "group", "lat", "threads", 8);
        Map<String, String> full = sub.call(budget(Duration.ofMinutes(3)), "awaitFull", "group", "lat", "timeoutMs",
                budget(Duration.ofMinutes(2)).toMillis());
        if (!full.get("full").equals(full.get("of"))) {
            throw new IllegalStateException("only " + full.get("full") + " of " + full.get("of")
                    + " subscribers got the full list");
        }
        sub.call(Duration.ofSeconds(30), "resetStats", "group", "lat");
        phase(String.format(Locale.ROOT, "%s S2: %d changes/s for %d s", system, o.changeRate, o.changeSeconds),
                (long) o.changeRate * o.changeSeconds, List.of(changer));
        Map<String, String> stream = changer.call(budget(Duration.ofSeconds(o.changeSeconds + 120)), "stream",
                "rate", o.changeRate, "seconds", o.changeSeconds);
        Jvm.sleep(system.equals("sofa") ? 5000 : 2000); // the last notifications (SOFARegistry waits 1.5 s by design)
        Map<String, String> stats = sub.call(Duration.ofSeconds(30), "stats", "group", "lat");
        Histogram h = histogram(stats);
        results.latency(system, h);
        String load = String.format(Locale.ROOT, "%d subscribers, %d ids, %d changes/s", o.subscribers, ids, o.changeRate);
        results.add(system, S2, "p50", "ms", Better.LOWER, ms(h, 50), load);
        results.add(system, S2, "p99", "ms", Better.LOWER, ms(h, 99));
        results.add(system, S2, "p99.9", "ms", Better.LOWER, ms(h, 99.9));
        results.add(system, S2, "max", "ms", Better.LOWER, ms(h, 100));
        results.add(system, S2, "changes delivered and timed (all subscribers)", "count", Better.NONE, h.getTotalCount(),
                Long.parseLong(stats.get("unmeasured")) > 0 ? stats.get("unmeasured") + " merged ones untimed" : null);
        results.add(system, S2, "changes merged into a later notification", "count", Better.NONE,
                Long.parseLong(stats.get("coalesced")));
        results.add(system, S2, "change calls (p99 of the call itself)", "ms", Better.NONE,
                Long.parseLong(stream.get("callP99us")) / 1000.0,
                stream.get("changes") + " changes, " + stream.get("failed") + " failed");
        log("  %s latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms over %,d deliveries (%s merged)",
                system, ms(h, 50), ms(h, 99), ms(h, 99.9), ms(h, 100), h.getTotalCount(), stats.get("coalesced"));
    }

    /** Provider process publishes on a few ids, subscribers watch; kill -9; time until every list drops it. */
    private void deadProvider(SystemUnderTest sut, AgentProcess sub, String variant, String label, Object... options)
            throws Exception {
        String system = sut.name();
        String prefix = "dead-" + variant;
        phase(system + " S3: provider (" + label + ") with " + o.deadDataIds + " publishers, " + o.deadSubscribers
                + " subscribers", o.deadSubscribers, List.of(sub));
        AgentProcess provider = agents(sut, "provider-" + variant, 1, 1, options).get(0);
        provider.call(budget(Duration.ofMinutes(1)), "publish", "count", o.deadDataIds, "ids", o.deadDataIds,
                "prefix", prefix, "kind", "dead", "threads", 1);
        sub.call(budget(Duration.ofMinutes(2)), "subscribe", "count", o.deadSubscribers, "ids", o.deadDataIds,
                "prefix", prefix, "marker", "dead:", "group", prefix, "threads", 4);
        Map<String, String> full = sub.call(budget(Duration.ofMinutes(2)), "awaitFull", "group", prefix,
                "timeoutMs", 60_000);
        if (!full.get("full").equals(full.get("of"))) {
            throw new IllegalStateException("subscribers never saw the provider: " + full);
        }
        long since = System.nanoTime() + 200_000_000L;
        sub.call(Duration.ofSeconds(10), "watchGone", "group", prefix, "marker", "dead:", "since", since);
        while (System.nanoTime() < since) {
            Thread.onSpinWait();
        }
        provider.kill9();
        log("  kill -9 provider (%s) …", label);
        long timeoutMs = budget(Duration.ofSeconds(variant.equals("default") && system.startsWith("zookeeper") ? 90 : 30))
                .toMillis();
        Map<String, String> a = sub.call(Duration.ofMillis(timeoutMs + 10_000), "awaitGone", "group", prefix,
                "since", since, "timeoutMs", timeoutMs);
        int done = Integer.parseInt(a.get("done"));
        int of = Integer.parseInt(a.get("of"));
        double max = Long.parseLong(a.get("maxUs")) / 1e6;
        String note = done == of ? of + " subscribers" : "only " + done + " of " + of + " within " + timeoutMs / 1000 + " s";
        if (system.startsWith("zookeeper")) {
            note += variant.equals("tuned") ? "; session " + o.zkTunedSessionMs + " ms (server minimum)"
                    : "; Curator default 60 s, capped by the server to 40 s";
        }
        results.add(system, S3, "all subscribers updated (" + label + ")", "s", Better.LOWER, max, note);
        results.add(system, S3, "median subscriber updated (" + label + ")", "s", Better.LOWER,
                Long.parseLong(a.get("p50us")) / 1e6);
        log("  %s: provider gone from %d/%d subscribers, last after %.3f s", label, done, of, max);
    }

    // ---- scenario 5: connections ----

    private void connections(String system) throws Exception {
        SystemUnderTest sut = start(system, o.connectionsHeapMb);
        try {
            connections(sut);
        } finally {
            sut.close();
        }
    }

    private void connections(SystemUnderTest sut) throws Exception {
        String system = sut.name();
        {
            long heap0 = heap(sut);
            int procs = o.connectionProcesses;
            List<AgentProcess> agents = new ArrayList<>();
            for (int i = 0; i < procs; i++) {
                agents.add(agent(sut, "conn" + i, "none"));
            }
            phase(system + " S5: " + o.connections + " idle connections from " + o.sources, o.connections, agents);
            List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
            int per = o.connections / procs;
            for (int i = 0; i < procs; i++) {
                int count = i == procs - 1 ? o.connections - per * (procs - 1) : per;
                f.add(agents.get(i).send("conns", "protocol", system, "address", sut.connectionAddress(),
                        "count", count, "sources", o.sources, "inflight", 200));
            }
            long opened = sum(all(f, budget(Duration.ofMinutes(5)), "conns"), "opened");
            // Longer than every idle timeout (ours: 6 s without a heartbeat): what is still open is held.
            Jvm.sleep(o.smoke ? 2000 : 8000);
            List<CompletableFuture<Map<String, String>>> alive = new ArrayList<>();
            agents.forEach(a -> alive.add(a.send("connsAlive")));
            long held = sum(all(alive, Duration.ofSeconds(30), "connsAlive"), "alive");
            long heap1 = heap(sut);
            boolean serverAlive = Proc.liveCount() > 0;
            results.add(system, S5, "connections held", "count", Better.HIGHER, held,
                    String.format(Locale.ROOT, "%,d opened, heap max %d MB", opened, o.connectionsHeapMb));
            results.add(system, S5, "heap per connection", "B", Better.LOWER, held == 0 ? 0 : (heap1 - heap0) / (double) held);
            results.add(system, S5, "server live heap with all connections", "MB", Better.LOWER, heap1 / 1048576.0);
            log("  %s: %,d of %,d connections held, live heap %.1f MB (server alive: %s)", system, held, o.connections,
                    heap1 / 1048576.0, serverAlive);
            agents.forEach(AgentProcess::close);
        }
    }

    static <T> T orElse(Supplier<T> s, T fallback) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
