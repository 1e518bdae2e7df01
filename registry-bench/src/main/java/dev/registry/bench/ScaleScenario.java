package dev.registry.bench;

import dev.registry.bench.ScaleHeaps.NodeHeap;
import dev.registry.bench.process.AgentProcess;
import dev.registry.bench.process.Jvm;
import dev.registry.bench.report.Results;
import dev.registry.bench.report.Results.Better;
import dev.registry.bench.target.ScriptedCluster;
import dev.registry.bench.target.SystemUnderTest;
import dev.registry.bench.target.Workspace;
import dev.registry.bench.target.ZooKeeperServer;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
 * <p>The heap figures are {@link ScaleHeaps}' part, the kill of ours' data server is
 * {@link ScaleDataServerKill}'s.
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
    private final ScaleHeaps heaps;
    private final ScaleDataServerKill kill;

    ScaleScenario(Bench bench, BenchMain options, Workspace ws) {
        this.bench = bench;
        this.o = options;
        this.ws = ws;
        this.results = bench.results();
        this.heaps = new ScaleHeaps(bench, options, ws);
        this.kill = new ScaleDataServerKill(bench, options, ws);
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
        heaps.reportTable();
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
        Map<String, NodeHeap> nodeHeaps = new LinkedHashMap<>();
        try {
            heaps.measure(c, nodeHeaps, "empty");
            List<AgentProcess> pubs = agents(c, "scale-pub", o.scalePublisherAgents, 0);
            if (!publish(name, pubs, ids)) {
                return;
            }
            heaps.measure(c, nodeHeaps, "publishers");
            heaps.reportPublisherHeaps(name, nodeHeaps);
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
            heaps.measure(c, nodeHeaps, "subscribers");
            heaps.reportSubscriberHeaps(name, nodeHeaps);
            hotPushes(name, pubs.get(0), subs);
            if (o.scaleKill && dataServers > 1) {
                kill.run(name, c, pubs.get(0), subs);
            } else if (o.scaleKill) {
                results.failure(name, S7, "kill -9 not run: one data server holds the only copy");
            }
        } finally {
            heaps.addRows(name, nodeHeaps);
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

    // ---- ZooKeeper ----

    private void zookeeper(int nodes) throws Exception {
        String name = nodes == 1 ? "zookeeper" : "zookeeper-ensemble";
        int ids = ids(o);
        bench.log("starting %s (%d node(s), heap %d MB each) …", name, nodes, o.scaleZkHeapMb);
        long t0 = System.nanoTime();
        ZooKeeperServer z = ZooKeeperServer.start(ws, o.scaleZkHeapMb, nodes, Jvm.ownClasspath());
        bench.log("%s ready in %.1f s", name, (System.nanoTime() - t0) / 1e9);
        results.note(name, z.describe() + "; heap " + o.scaleZkHeapMb + " MB per node");
        Map<String, NodeHeap> nodeHeaps = new LinkedHashMap<>();
        try {
            heaps.measure(z, nodeHeaps, "empty");
            List<AgentProcess> pubs = agents(z, "scale-pub", o.scalePublisherAgents, 0);
            if (!publish(name, pubs, ids)) {
                return;
            }
            heaps.measure(z, nodeHeaps, "publishers");
            heaps.reportZooKeeperPublisherHeaps(name, nodeHeaps);
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
            heaps.measure(z, nodeHeaps, "watch-paths");
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
            heaps.measure(z, nodeHeaps, "subscribers");
            heaps.reportZooKeeperWatchHeaps(name, nodeHeaps, nodes, o.scaleSubscribers - failed);
        } finally {
            heaps.addRows(name, nodeHeaps);
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
}
