package dev.registry.bench;

import dev.registry.bench.process.AgentProcess;
import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;
import dev.registry.bench.report.Results;
import dev.registry.bench.report.Results.Better;
import dev.registry.bench.target.ScriptedCluster;
import dev.registry.bench.target.SystemUnderTest;
import dev.registry.bench.target.Workspace;
import dev.registry.bench.target.ZooKeeperServer;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 7, the scale run: a million publishers and a million subscribers on a real
 * multi-process cluster as {@code scripts/cluster.sh} starts it, against ZooKeeper holding
 * the same million registrations (standalone and as an ensemble).
 *
 * <p>Layout: publisher j serves id {@code scale-(j % ids)} (ten per id by default); the hot id
 * {@code scale-0} has {@code hot} subscribers, every other subscriber watches one of the other
 * ids. Tickers (one extra publisher each) sit on the hot id and on {@code probeIds - 1} ids spread
 * evenly over the rest; their subscribers time the hot pushes and the recovery after the kill.
 * Clients are pinned to sessions round-robin so that every session holds the same number.
 *
 * <p>Ours, per data server count: register the publishers, heap of every node; tickers, then the
 * subscribers, heap again; one change of the hot id at a time, timed to its last subscriber;
 * a stream of ticker changes with {@code kill -9} of data-0, until every ticker subscriber saw
 * every live publisher and a change made after the kill, shrunken pushes counted over all
 * subscribers. ZooKeeper: the publishers (ephemeral znodes through Curator discovery), heap of
 * every node, then one child watch per subscriber, heap again.
 *
 * <p>Threading: the orchestrator thread.
 */
final class ScaleScenario {
    static final String S7 = "7 scale";
    private static final String PREFIX = "scale";

    private final Bench bench;
    private final BenchMain o;
    private final Workspace ws;
    private final Results results;
    private final List<String> nodeRows = new ArrayList<>();

    ScaleScenario(Bench bench, BenchMain options, Workspace ws) {
        this.bench = bench;
        this.o = options;
        this.ws = ws;
        this.results = bench.results();
    }

    /** Ids the registrations spread over: as given, else one per ten publishers. */
    static int ids(BenchMain o) {
        return o.scaleIds > 0 ? o.scaleIds : Math.max(2, o.scalePublishers / 10);
    }

    /** Subscribers of the hot id: as given, at most half of all subscribers. */
    static int hot(BenchMain o) {
        return Math.min(o.scaleHotSubscribers, o.scaleSubscribers / 2);
    }

    void run(List<String> systems) {
        for (String system : systems) {
            switch (system) {
                case "ours" -> {
                    for (int i = 0; i < o.scaleData.size(); i++) {
                        int d = o.scaleData.get(i);
                        int base = o.scaleBasePort + 200 * i; // a fresh port range per cluster: no port reused
                        bench.guarded(oursName(d), S7, () -> ours(d, base));
                    }
                }
                case "zookeeper" -> {
                    for (int n : o.scaleZkNodes) {
                        bench.guarded(n == 1 ? "zookeeper" : "zookeeper-ensemble", S7, () -> zookeeper(n));
                    }
                }
                default -> results.failure(system, S7, "not run: the scale run compares ours' cluster with ZooKeeper");
            }
        }
        if (!nodeRows.isEmpty()) {
            List<String> md = new ArrayList<>();
            md.add("**Scale run: live heap of every node** (after a full GC: `jcmd GC.class_histogram`; copies and "
                    + "subscribers as the node's `/metrics` count them)");
            md.add("");
            md.add("| system | node | empty | after the publishers | after the subscribers | publisher copies held "
                    + "| per publisher copy | subscribers held | per subscriber |");
            md.add("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            md.addAll(nodeRows);
            results.section(String.join("\n", md));
        }
    }

    private static String oursName(int dataServers) {
        return "ours-cluster-" + dataServers + "-data";
    }

    // ---- ours ----

    private void ours(int dataServers, int basePort) throws Exception {
        String name = oursName(dataServers);
        int ids = ids(o);
        bench.log("starting %s: scripts/cluster.sh with 1 meta, %d data, %d sessions (heaps %d / %d MB) …", name,
                dataServers, o.scaleSessions, o.scaleDataHeapMb, o.scaleSessionHeapMb);
        long t0 = System.nanoTime();
        String gc = " -XX:+UseG1GC";
        String extra = (o.scaleServerJvmArgs.isBlank() ? "" : " " + o.scaleServerJvmArgs.trim())
                + (o.scaleJfr ? " -XX:StartFlightRecording=name=scale,settings=profile" : "");
        ScriptedCluster c = ScriptedCluster.start(name, o.clusterScript, ws, ws.dir(name), basePort, 1,
                dataServers, o.scaleSessions, "-Xmx" + o.scaleMetaHeapMb + "m" + gc,
                "-Xmx" + o.scaleDataHeapMb + "m" + gc + extra, "-Xmx" + o.scaleSessionHeapMb + "m" + gc + extra);
        bench.log("%s ready in %.1f s", name, (System.nanoTime() - t0) / 1e9);
        results.note(name, c.describe() + String.format(Locale.ROOT, "; heaps: data %d MB, session %d MB, meta %d MB (G1)",
                o.scaleDataHeapMb, o.scaleSessionHeapMb, o.scaleMetaHeapMb));
        Map<String, NodeHeap> heaps = new LinkedHashMap<>();
        try {
            measure(c, heaps, "empty");
            List<AgentProcess> pubs = agents(c, "scale-pub", o.scalePublisherAgents, 0);
            if (!publish(name, pubs, ids)) {
                return;
            }
            measure(c, heaps, "publishers");
            reportPublisherHeaps(name, heaps);
            if (o.scaleSubscribers <= 0) {
                return;
            }
            int probeIds = Math.min(o.scaleProbeIds, ids);
            int every = Math.max(1, ids / probeIds);
            pubs.get(0).call(bench.budget(Duration.ofMinutes(2)), "ticker", "ids", probeIds, "every", every,
                    "prefix", PREFIX);
            List<AgentProcess> subs = agents(c, "scale-sub", o.scaleSubscriberAgents,
                    o.scalePublisherAgents * o.scaleConnections);
            if (!subscribe(name, subs, ids, probeIds, every)) {
                return;
            }
            measure(c, heaps, "subscribers");
            reportSubscriberHeaps(name, heaps);
            hotPushes(name, pubs.get(0), subs);
            if (o.scaleKill && dataServers > 1) {
                kill(name, c, pubs.get(0), subs);
            } else if (o.scaleKill) {
                results.failure(name, S7, "kill -9 not run: one data server holds the only copy");
            }
        } finally {
            heaps.values().forEach(h -> nodeRows.add(h.row(name)));
            c.close();
        }
    }

    /** Starts and connects {@code count} agents; ours' clients are pinned round-robin from {@code pinFrom}. */
    private List<AgentProcess> agents(SystemUnderTest sut, String prefix, int count, int pinFrom) throws Exception {
        List<AgentProcess> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(bench.agent(sut, prefix + i, sut.driverClass(), o.scaleAgentHeapMb));
        }
        List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Object> args = new ArrayList<>(List.of("address", sut.clientAddress(), "clients", o.scaleConnections,
                    "payload", o.payload));
            if (sut instanceof ScriptedCluster) {
                args.addAll(List.of("pin", pinFrom + i * o.scaleConnections));
            }
            f.add(out.get(i).send("connect", args.toArray()));
        }
        Bench.all(f, bench.budget(Duration.ofMinutes(3)), "connect");
        return out;
    }

    /** Registers the publishers; false when the budget cut it short (what was done is reported). */
    private boolean publish(String system, List<AgentProcess> pubs, int ids) {
        int procs = pubs.size();
        long total = o.scalePublishers;
        bench.phase(String.format(Locale.ROOT, "%s S7: %,d publishers on %,d ids over %d connections", system, total, ids,
                procs * o.scaleConnections), total, pubs);
        long per = total / procs;
        long timeoutMs = bench.budget(Duration.ofHours(2)).toMillis();
        List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < procs; i++) {
            long count = i == procs - 1 ? total - per * (procs - 1) : per;
            f.add(pubs.get(i).send("publish", "count", count, "start", i * per, "ids", ids, "prefix", PREFIX,
                    "threads", o.scaleInflight, "timeoutMs", timeoutMs));
        }
        List<Map<String, String>> answers = Bench.all(f, Duration.ofMillis(timeoutMs + 60_000), "publish");
        double seconds = (System.nanoTime() - t0) / 1e9;
        long done = Bench.sum(answers, "done");
        long failed = Bench.sum(answers, "failed") + Bench.sum(answers, "unacked");
        bench.log("  %s: %,d of %,d publishers registered in %.1f s = %,.0f/s (%,d failed)", system, done, total, seconds,
                done / seconds, failed);
        String note = String.format(Locale.ROOT, "%,d publishers, %d connections, %d in flight", done,
                procs * o.scaleConnections, procs * o.scaleInflight) + (failed > 0 ? ", " + failed + " failed" : "");
        results.add(system, S7, "publishers registered/s", "1/s", Better.HIGHER, done / seconds, note);
        if (done + failed < total) {
            results.add(system, S7, "publishers registered before the time budget ran out", "count", Better.HIGHER, done,
                    String.format(Locale.ROOT, "of %,d, in %.0f s", total, seconds));
            results.failure(system, S7, String.format(Locale.ROOT, "stopped after %,d of %,d publishers: the time budget "
                    + "(--budget-minutes %d) ran out", done, total, o.budgetMinutes));
            return false;
        }
        results.add(system, S7, "time to register all publishers", "s", Better.LOWER, seconds);
        return true;
    }

    private boolean subscribe(String system, List<AgentProcess> subs, int ids, int probeIds, int every) {
        int procs = subs.size();
        int hot = hot(o);
        int rest = o.scaleSubscribers - hot;
        bench.phase(String.format(Locale.ROOT, "%s S7: %,d subscribers (%,d on the hot id) over %d connections", system,
                o.scaleSubscribers, hot, procs * o.scaleConnections), o.scaleSubscribers, subs);
        long timeoutMs = bench.budget(Duration.ofHours(2)).toMillis();
        List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < procs; i++) {
            int h = share(hot, procs, i);
            int r = share(rest, procs, i);
            // The hot id's subscribers and the rest, concurrently in each agent.
            f.add(subs.get(i).send("subscribe", "count", h, "ids", 1, "first", 0, "prefix", PREFIX, "total",
                    o.scalePublishers, "spread", ids, "ticker", true, "group", "hot", "threads",
                    Math.max(1, o.scaleInflight / 4), "timeoutMs", timeoutMs));
            f.add(subs.get(i).send("subscribe", "count", r, "ids", ids - 1, "first", 1, "prefix", PREFIX, "total",
                    o.scalePublishers, "spread", ids, "tickerEvery", every, "tickerCount", probeIds, "group", "rest",
                    "tickerGroup", "probe", "threads", o.scaleInflight, "timeoutMs", timeoutMs));
        }
        List<Map<String, String>> answers = Bench.all(f, Duration.ofMillis(timeoutMs + 60_000), "subscribe");
        double registered = (System.nanoTime() - t0) / 1e9;
        long failed = Bench.sum(answers, "failed");
        long done = Bench.sum(answers, "done");
        bench.log("  %s: %,d subscribers registered in %.1f s = %,.0f/s (%,d failed)", system, done, registered,
                done / registered, failed);
        results.add(system, S7, "subscribers registered/s", "1/s", Better.HIGHER, done / registered,
                String.format(Locale.ROOT, "%,d subscribers, %d connections, %,d on the hot id", done,
                        procs * o.scaleConnections, hot) + (failed > 0 ? ", " + failed + " failed" : ""));
        if (done + failed < o.scaleSubscribers) {
            results.failure(system, S7, String.format(Locale.ROOT, "stopped after %,d of %,d subscribers: the time budget "
                    + "(--budget-minutes %d) ran out", done, o.scaleSubscribers, o.budgetMinutes));
            return false;
        }
        results.add(system, S7, "time to register all subscribers", "s", Better.LOWER, registered);
        bench.phase(system + " S7: every subscriber has its full list", o.scaleSubscribers, subs);
        long waitMs = bench.budget(Duration.ofMinutes(20)).toMillis();
        f.clear();
        subs.forEach(a -> f.add(a.send("awaitFull", "timeoutMs", waitMs)));
        List<Map<String, String>> full = Bench.all(f, Duration.ofMillis(waitMs + 60_000), "awaitFull");
        double whole = (System.nanoTime() - t0) / 1e9;
        long fullCount = Bench.sum(full, "full");
        long of = Bench.sum(full, "of");
        bench.log("  %s: %,d of %,d subscribers had their full list %.1f s after the first subscription", system, fullCount,
                of, whole);
        results.add(system, S7, "time until every subscriber had its full list", "s", Better.LOWER, whole,
                fullCount == of ? null : String.format(Locale.ROOT, "only %,d of %,d", fullCount, of));
        if (fullCount < of) {
            results.failure(system, S7, String.format(Locale.ROOT, "only %,d of %,d subscribers got their full list",
                    fullCount, of));
            return false;
        }
        return true;
    }

    private static int share(int total, int parts, int i) {
        return total / parts + (i < total % parts ? 1 : 0);
    }

    /** One change of the hot id at a time; each timed from the change call to its last subscriber. */
    private void hotPushes(String system, AgentProcess changer, List<AgentProcess> subs) {
        int hot = hot(o);
        List<Double> worst = new ArrayList<>();
        Histogram all = new Histogram(3);
        long failedChanges = 0;
        for (int n = 1; n <= o.scaleHotChanges; n++) {
            bench.phase(String.format(Locale.ROOT, "%s S7: hot id change %d of %d to %,d subscribers", system, n,
                    o.scaleHotChanges, hot), hot, subs);
            long since = System.nanoTime();
            for (AgentProcess a : subs) {
                a.call(Duration.ofSeconds(30), "resetStats", "group", "hot");
                a.call(Duration.ofSeconds(30), "watchRecovery", "group", "hot", "since", since);
            }
            // the ticker of the hot id is the changer's first: a stream of one change
            Map<String, String> s = changer.call(bench.budget(Duration.ofMinutes(1)), "stream", "rate", 1, "seconds", 1,
                    "threads", 1);
            failedChanges += Long.parseLong(s.get("failed"));
            List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
            subs.forEach(a -> f.add(a.send("awaitRecovery", "group", "hot", "since", since, "timeoutMs", 60_000)));
            List<Map<String, String>> rec = Bench.all(f, bench.budget(Duration.ofSeconds(90)), "awaitRecovery");
            Histogram h = new Histogram(3);
            for (AgentProcess a : subs) {
                h.add(Bench.histogram(a.call(Duration.ofSeconds(30), "stats", "group", "hot")));
            }
            all.add(h);
            long reached = Bench.sum(rec, "done");
            double last = Bench.ms(h, 100);
            worst.add(reached == hot ? last : Double.NaN);
            bench.log("  %s: hot change %d reached %,d of %,d subscribers; p50 %.1f ms, last %.1f ms", system, n, reached,
                    hot, Bench.ms(h, 50), last);
            Jvm.sleep(1000); // longer than the push window: each change starts on a quiet id
        }
        List<Double> sorted = worst.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        results.add(system, S7, "one change of the hot id → all its subscribers (median of the changes)", "ms",
                Better.LOWER, median, String.format(Locale.ROOT, "%,d subscribers; %d changes, each: %s ms%s", hot,
                        worst.size(), worst.stream().map(x -> Double.isNaN(x) ? "not all reached"
                                : String.format(Locale.ROOT, "%.0f", x)).toList(),
                        failedChanges > 0 ? "; " + failedChanges + " change calls failed" : ""));
        results.add(system, S7, "… per subscriber p50 / p99 of those deliveries", "ms", Better.NONE, Bench.ms(all, 50),
                String.format(Locale.ROOT, "p99 %.1f ms over %,d deliveries", Bench.ms(all, 99), all.getTotalCount()));
    }

    /** kill -9 of data-0 while the tickers change; as scenario 6, over the ticker ids' subscribers. */
    private void kill(String system, ScriptedCluster c, AgentProcess changer, List<AgentProcess> subs) throws Exception {
        int warm = 5;
        int streamSeconds = warm + o.scaleObserveSeconds;
        for (AgentProcess a : subs) {
            a.call(Duration.ofSeconds(60), "resetStats"); // every subscriber: shrunken pushes counted from here
        }
        bench.phase(String.format(Locale.ROOT, "%s S7: %d ticker changes/s, kill -9 of data-0 after %d s", system,
                o.scaleChangeRate, warm), (long) o.scaleChangeRate * streamSeconds, List.of(changer));
        CompletableFuture<Map<String, String>> stream = changer.send("stream", "rate", o.scaleChangeRate, "seconds",
                streamSeconds, "threads", 16);
        Jvm.sleep(warm * 1000L - 200);
        long since = System.nanoTime() + 200_000_000L;
        for (AgentProcess a : subs) {
            a.call(Duration.ofSeconds(10), "watchRecovery", "group", "hot,probe", "since", since);
        }
        Map<String, Long> logSizes = dataLogSizes(c);
        while (System.nanoTime() < since) {
            Thread.onSpinWait();
        }
        String killed = c.killDataServer();
        bench.log("  kill -9 %s", killed);
        Thread dumps = threadDumps(c, "after-kill", 2, 5, 10);
        bench.phase(system + " S7: ticker subscribers whole again after the kill", 0, subs);
        long timeoutMs = o.scaleObserveSeconds * 1000L;
        List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
        subs.forEach(a -> f.add(a.send("awaitRecovery", "group", "hot,probe", "since", since, "timeoutMs", timeoutMs)));
        List<Map<String, String>> rec = Bench.all(f, bench.budget(Duration.ofMillis(timeoutMs + 60_000)), "awaitRecovery");
        Map<String, String> s = AgentProcess.await(stream, bench.budget(Duration.ofSeconds(streamSeconds + 90)), "stream");
        dumps.join(60_000);
        Jvm.sleep(2000);
        long shrunken = 0;
        long notifications = 0;
        Histogram h = new Histogram(3);
        for (AgentProcess a : subs) {
            Map<String, String> st = a.call(Duration.ofSeconds(60), "stats");
            shrunken += Long.parseLong(st.get("shrunken"));
            notifications += Long.parseLong(st.get("notifications"));
            h.add(Bench.histogram(st));
        }
        long done = Bench.sum(rec, "done");
        long of = Bench.sum(rec, "of");
        double max = rec.stream().mapToLong(a -> Long.parseLong(a.get("maxUs"))).max().orElse(0) / 1e6;
        results.add(system, S7, "kill -9 of a data server: every ticker subscriber sees all live publishers and a post-kill "
                        + "change", "s", Better.LOWER, max, String.format(Locale.ROOT, "%s%,d subscribers of %d ids, killed %s",
                        done == of ? "" : "only " + done + " of ", of, Math.min(o.scaleProbeIds, ids(o)), killed));
        results.add(system, S7, "shrunken pushes during the kill (must be 0)", "count", Better.LOWER, shrunken,
                String.format(Locale.ROOT, "over all %,d subscribers, %,d notifications", o.scaleSubscribers, notifications));
        results.add(system, S7, "failed changes during the kill", "count", Better.LOWER, Long.parseLong(s.get("failed")),
                s.get("changes") + " succeeded");
        results.add(system, S7, "max change → notification latency across the kill", "ms", Better.LOWER, Bench.ms(h, 100),
                String.format(Locale.ROOT, "p50 %.1f ms", Bench.ms(h, 50)));
        String takeover = takeoverFromLogs(c, logSizes);
        if (takeover != null) {
            results.note(system + "-takeover", system + " after the kill, from the data servers' logs: " + takeover);
        }
        bench.log("  %s: whole again after %.2f s (%,d/%,d), %,d shrunken pushes, %s failed changes, max latency %.0f ms",
                system, max, done, of, shrunken, s.get("failed"), Bench.ms(h, 100));
    }

    /**
     * Thread dumps ({@code jcmd Thread.print}) of every live data server and session at the given
     * seconds from now, in the logs folder: what the nodes were doing while they took over.
     */
    private Thread threadDumps(ScriptedCluster c, String label, int... seconds) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            for (int at : seconds) {
                long wait = t0 + at * 1_000_000_000L - System.nanoTime();
                if (wait > 0) {
                    Jvm.sleep(wait / 1_000_000);
                }
                for (ScriptedCluster.Node n : c.registryNodes()) {
                    ProcessHandle h = n.handle();
                    if (n.role().equals("meta") || h == null || !h.isAlive()) {
                        continue;
                    }
                    Path out = ws.log("threads-" + c.name() + "-" + n.name() + "-" + label + "-" + at + "s");
                    try {
                        new ProcessBuilder(jcmd.toString(), String.valueOf(n.pid()), "Thread.print").redirectErrorStream(true)
                                .redirectOutput(out.toFile()).start().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (IOException e) {
                        bench.log("  thread dump of %s failed: %s", n.name(), e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }, "scale-thread-dumps");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Map<String, Long> dataLogSizes(ScriptedCluster c) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (ScriptedCluster.Node n : c.nodes()) {
            if (n.role().equals("data")) {
                Path log = c.dir().resolve("logs").resolve(n.name() + ".log");
                try {
                    out.put(n.name(), Files.size(log));
                } catch (IOException e) {
                    out.put(n.name(), 0L);
                }
            }
        }
        return out;
    }

    private static final Pattern ALL_SERVE = Pattern.compile("all (\\d+) led slots serve reads \\((\\d+) ms after");

    /** What the surviving data servers logged since the kill: when their newly led slots served reads again. */
    private static String takeoverFromLogs(ScriptedCluster c, Map<String, Long> from) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> e : from.entrySet()) {
            Path log = c.dir().resolve("logs").resolve(e.getKey() + ".log");
            try {
                byte[] all = Files.readAllBytes(log);
                int start = (int) Math.min(all.length, e.getValue());
                String tail = new String(all, start, all.length - start, java.nio.charset.StandardCharsets.UTF_8);
                Matcher m = ALL_SERVE.matcher(tail);
                String last = null;
                while (m.find()) {
                    last = m.group(1) + " led slots served reads " + m.group(2) + " ms after its takeover began";
                }
                if (last != null) {
                    parts.add(e.getKey() + ": " + last);
                }
            } catch (IOException ex) {
                // killed node or no log: nothing to report
            }
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    // ---- heap per node ----

    /** One node's live heap at each step, and what it held. */
    private static final class NodeHeap {
        final String node;
        final Map<String, Long> bytes = new LinkedHashMap<>();
        double publisherCopies = -1;
        double subscribers = -1;
        /** The step the subscribers' heap is counted from. */
        String subscriberBase = "publishers";

        NodeHeap(String node) {
            this.node = node;
        }

        long delta(String from, String to) {
            return bytes.getOrDefault(to, 0L) - bytes.getOrDefault(from, 0L);
        }

        String row(String system) {
            boolean hasSubs = bytes.containsKey("subscribers");
            return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |", system, node,
                    mb(bytes.get("empty")), mb(bytes.get("publishers")), mb(bytes.get("subscribers")),
                    publisherCopies < 0 ? "–" : String.format(Locale.ROOT, "%,.0f", publisherCopies),
                    publisherCopies > 0 && bytes.containsKey("publishers")
                            ? String.format(Locale.ROOT, "%,.0f B", delta("empty", "publishers") / publisherCopies) : "–",
                    subscribers < 0 ? "–" : String.format(Locale.ROOT, "%,.0f", subscribers),
                    subscribers > 0 && hasSubs
                            ? String.format(Locale.ROOT, "%,.0f B", delta(subscriberBase, "subscribers") / subscribers) : "–");
        }

        private static String mb(Long b) {
            return b == null ? "–" : String.format(Locale.ROOT, "%,.0f MB", b / 1048576.0);
        }
    }

    /** Live heap of every registry node (and what its metrics say it holds) at step {@code label}. */
    private void measure(ScriptedCluster c, Map<String, NodeHeap> heaps, String label) {
        if (o.scaleJfr && !label.equals("empty")) {
            dumpFlightRecordings(c, label);
        }
        bench.log("  live heap of every node (%s) …", label);
        for (ScriptedCluster.Node n : c.registryNodes()) {
            ProcessHandle h = n.handle();
            if (h == null || !h.isAlive()) {
                continue;
            }
            NodeHeap nh = heaps.computeIfAbsent(n.name(), NodeHeap::new);
            long b = Jvm.liveHeapBytes(n.pid(), ws.log("heap-" + c.name() + "-" + n.name() + "-" + label));
            nh.bytes.put(label, b);
            Map<String, Double> m = ScriptedCluster.metrics(n);
            if (n.role().equals("data")) {
                nh.publisherCopies = m.getOrDefault("registry_data_publishers", -1.0);
            } else if (n.role().equals("session")) {
                nh.publisherCopies = m.getOrDefault("registry_session_publishers", -1.0);
                nh.subscribers = m.getOrDefault("registry_session_subscribers", -1.0);
            }
        }
        bench.log("  %s", String.join(", ", heaps.values().stream().filter(x -> x.bytes.containsKey(label))
                .map(x -> String.format(Locale.ROOT, "%s %.0f MB", x.node, x.bytes.get(label) / 1048576.0)).toList()));
    }

    /** The flight recording of every data server and session so far, into the logs folder. */
    private void dumpFlightRecordings(ScriptedCluster c, String label) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (ScriptedCluster.Node n : c.registryNodes()) {
            ProcessHandle h = n.handle();
            if (n.role().equals("meta") || h == null || !h.isAlive()) {
                continue;
            }
            Path file = ws.dir("logs").resolve("jfr-" + c.name() + "-" + n.name() + "-" + label + ".jfr");
            try {
                new ProcessBuilder(jcmd.toString(), String.valueOf(n.pid()), "JFR.dump", "name=scale", "filename=" + file)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                        .waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (IOException e) {
                bench.log("  flight recording of %s not dumped: %s", n.name(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void reportPublisherHeaps(String system, Map<String, NodeHeap> heaps) {
        for (String role : List.of("data", "session")) {
            List<NodeHeap> nodes = heaps.values().stream().filter(h -> h.node.startsWith(role + "-")).toList();
            if (nodes.isEmpty()) {
                continue;
            }
            double mean = nodes.stream().mapToLong(h -> h.bytes.getOrDefault("publishers", 0L)).average().orElse(0);
            double copies = nodes.stream().mapToDouble(h -> Math.max(0, h.publisherCopies)).sum();
            long delta = nodes.stream().mapToLong(h -> h.delta("empty", "publishers")).sum();
            String label = role.equals("data") ? "data server" : "session";
            results.add(system, S7, label + " live heap with the publishers (mean per node)", "MB", Better.LOWER,
                    mean / 1048576.0, String.join(", ", nodes.stream().map(h -> String.format(Locale.ROOT, "%s %.0f",
                            h.node, h.bytes.getOrDefault("publishers", 0L) / 1048576.0)).toList()));
            if (copies > 0) {
                results.add(system, S7, "heap per publisher copy on a " + label, "B", Better.LOWER, delta / copies,
                        String.format(Locale.ROOT, "%,.0f copies on %d nodes", copies, nodes.size()));
            }
        }
    }

    private void reportSubscriberHeaps(String system, Map<String, NodeHeap> heaps) {
        List<NodeHeap> sessions = heaps.values().stream().filter(h -> h.node.startsWith("session-")).toList();
        double subs = sessions.stream().mapToDouble(h -> Math.max(0, h.subscribers)).sum();
        long delta = sessions.stream().mapToLong(h -> h.delta("publishers", "subscribers")).sum();
        double mean = sessions.stream().mapToLong(h -> h.bytes.getOrDefault("subscribers", 0L)).average().orElse(0);
        results.add(system, S7, "session live heap with publishers and subscribers (mean per node)", "MB", Better.LOWER,
                mean / 1048576.0, String.join(", ", sessions.stream().map(h -> String.format(Locale.ROOT, "%s %.0f",
                        h.node, h.bytes.getOrDefault("subscribers", 0L) / 1048576.0)).toList()));
        if (subs > 0) {
            results.add(system, S7, "heap per subscriber on a session", "B", Better.LOWER, delta / subs,
                    String.format(Locale.ROOT, "%,.0f subscribers on %d sessions", subs, sessions.size()));
        }
    }

    // ---- ZooKeeper ----

    private void zookeeper(int nodes) throws Exception {
        String name = nodes == 1 ? "zookeeper" : "zookeeper-ensemble";
        int ids = ids(o);
        bench.log("starting %s (%d node(s), heap %d MB each) …", name, nodes, o.scaleZkHeapMb);
        long t0 = System.nanoTime();
        ZooKeeperServer z = ZooKeeperServer.start(ws, o.scaleZkHeapMb, nodes, Jvm.ownClasspath());
        bench.log("%s ready in %.1f s", name, (System.nanoTime() - t0) / 1e9);
        results.note(name, z.describe() + "; heap " + o.scaleZkHeapMb + " MB per node");
        Map<String, NodeHeap> heaps = new LinkedHashMap<>();
        try {
            measure(z, heaps, "empty");
            List<AgentProcess> pubs = agents(z, "scale-pub", o.scalePublisherAgents, 0);
            if (!publish(name, pubs, ids)) {
                return;
            }
            measure(z, heaps, "publishers");
            for (NodeHeap h : heaps.values()) {
                h.publisherCopies = o.scalePublishers; // every node holds the whole DataTree
            }
            double mean = heaps.values().stream().mapToLong(h -> h.bytes.get("publishers")).average().orElse(0);
            long delta = heaps.values().stream().mapToLong(h -> h.delta("empty", "publishers")).sum();
            results.add(name, S7, "ZooKeeper node live heap with the publishers (mean per node)", "MB", Better.LOWER,
                    mean / 1048576.0, String.join(", ", heaps.values().stream().map(h -> String.format(Locale.ROOT,
                            "%s %.0f", h.node, h.bytes.get("publishers") / 1048576.0)).toList()));
            results.add(name, S7, "heap per publisher copy on a ZooKeeper node", "B", Better.LOWER,
                    delta / (double) o.scalePublishers / heaps.size(),
                    String.format(Locale.ROOT, "every one of %d node(s) holds all %,d", heaps.size(), o.scalePublishers));
            if (o.scaleSubscribers <= 0 || !o.scaleZkWatches) {
                return;
            }
            List<AgentProcess> subs = agents(z, "scale-sub", o.scaleSubscriberAgents, 0);
            bench.phase(name + " S7: a watch path per id", ids, subs);
            List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
            for (int i = 0; i < subs.size(); i++) {
                f.add(subs.get(i).send("prepare", "ids", share(ids, subs.size(), i), "start", startOf(ids, subs.size(), i),
                        "prefix", PREFIX, "threads", 16));
            }
            Bench.all(f, bench.budget(Duration.ofMinutes(20)), "prepare");
            measure(z, heaps, "watch-paths");
            bench.phase(String.format(Locale.ROOT, "%s S7: %,d child watches (one per subscriber)", name,
                    o.scaleSubscribers), o.scaleSubscribers, subs);
            f.clear();
            long w0 = System.nanoTime();
            for (int i = 0; i < subs.size(); i++) {
                f.add(subs.get(i).send("watchOnly", "count", share(o.scaleSubscribers, subs.size(), i), "ids", ids,
                        "prefix", PREFIX, "threads", o.scaleInflight));
            }
            List<Map<String, String>> answers = Bench.all(f, bench.budget(Duration.ofMinutes(30)), "watchOnly");
            double secs = (System.nanoTime() - w0) / 1e9;
            long failed = Bench.sum(answers, "failed") + Bench.sum(answers, "unacked");
            results.add(name, S7, "subscribers registered/s", "1/s", Better.HIGHER, (o.scaleSubscribers - failed) / secs,
                    String.format(Locale.ROOT, "%,d child watches", o.scaleSubscribers - failed)
                            + (failed > 0 ? ", " + failed + " failed" : ""));
            measure(z, heaps, "subscribers");
            long watches = o.scaleSubscribers - failed;
            for (NodeHeap h : heaps.values()) {
                h.subscriberBase = "watch-paths"; // per watch: from after the watched paths were created
                h.subscribers = nodes == 1 ? watches : -1; // each client's watches live on its own server
            }
            long d = heaps.values().stream().mapToLong(h -> h.delta("watch-paths", "subscribers")).sum();
            results.add(name, S7, "heap per subscriber (child watch) over all nodes", "B", Better.LOWER,
                    d / (double) watches, String.format(Locale.ROOT, "%,d watches, each held by the node its client is "
                            + "connected to", watches));
        } finally {
            heaps.values().forEach(h -> nodeRows.add(h.row(name)));
            z.close();
            z.deleteData();
        }
    }

    private static int startOf(int total, int parts, int i) {
        int s = 0;
        for (int k = 0; k < i; k++) {
            s += share(total, parts, k);
        }
        return s;
    }

    private void measure(ZooKeeperServer z, Map<String, NodeHeap> heaps, String label) {
        bench.log("  live heap of every node (%s) …", label);
        List<Proc> nodes = z.nodes();
        for (Proc p : nodes) {
            NodeHeap nh = heaps.computeIfAbsent(p.name(), NodeHeap::new);
            nh.bytes.put(label, Jvm.liveHeapBytes(p.pid(), ws.log("heap-" + p.name() + "-" + label)));
        }
        bench.log("  %s", String.join(", ", heaps.values().stream().filter(x -> x.bytes.containsKey(label))
                .map(x -> String.format(Locale.ROOT, "%s %.0f MB", x.node, x.bytes.get(label) / 1048576.0)).toList()));
    }
}
