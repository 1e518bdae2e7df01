package dev.registry.bench;

import dev.registry.bench.process.AgentProcess;
import dev.registry.bench.process.Jvm;
import dev.registry.bench.report.Results;
import dev.registry.bench.report.Results.Better;
import dev.registry.bench.target.SystemUnderTest;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.registry.bench.Bench.S1;
import static dev.registry.bench.Bench.S2;
import static dev.registry.bench.Bench.S3;
import static dev.registry.bench.Bench.S4;

/**
 * Scenarios 1 to 4 on one single-node server of a system, one after the other on the same
 * server and agents: registration throughput, change-to-notification latency, heap per publisher
 * and per subscriber, dead-provider detection. In smoke mode scenario 5 runs on that server too.
 *
 * <p>Threading: the orchestrator thread.
 */
final class StandaloneScenarios {
    private final Bench bench;
    private final BenchMain o;
    private final Results results;

    StandaloneScenarios(Bench bench, BenchMain options) {
        this.bench = bench;
        this.o = options;
        this.results = bench.results();
    }

    void run(String system) throws Exception {
        boolean sofa = system.equals("sofa");
        int publishers = sofa ? Math.min(o.publishers, o.sofaPublishers) : o.publishers;
        int memSubscribers = sofa ? Math.min(o.memSubscribers, o.sofaPublishers) : o.memSubscribers;
        SystemUnderTest sut = bench.start(system, o.serverHeapMb);
        try {
            int procs = o.clientProcesses;
            int clientsEach = Math.max(1, o.clients / procs);
            List<AgentProcess> pubs = bench.agents(sut, "pub", procs, clientsEach);
            AgentProcess sub = bench.agents(sut, "sub", 1, o.subscriberClients).get(0);
            // Warm-up (before the heap baseline, so scenario 4's per-publisher figure excludes it).
            bench.warmUp(sut, pubs, Math.min(o.warmupPublishers, publishers), "warm", o.dataIds, clientsEach, o.runs(1));
            long heap0 = bench.heap(sut);

            // 1: registration throughput
            bench.phase(system + " S1: " + publishers + " publishers over " + clientsEach * procs + " connections",
                    publishers, pubs);
            double[] r = bench.register(sut, pubs, publishers, "svc", o.dataIds, clientsEach, o.threadsPerClient,
                    o.inflightPerClient);
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
                long heap1 = bench.heap(sut);
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
                bench.phase(system + " S4: " + memSubscribers + " subscribers on " + o.memDataIds + " more ids",
                        memSubscribers, List.of(sub));
                sub.call(bench.budget(Duration.ofMinutes(5)), "prepare", "ids", o.memDataIds, "prefix", "mem");
                long heap2 = bench.heap(sut);
                Map<String, String> a = sub.call(bench.budget(Duration.ofMinutes(8)), "watchOnly", "count", memSubscribers,
                        "ids", o.memDataIds, "prefix", "mem", "threads", 8);
                long heap3 = bench.heap(sut);
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
                // one server start less: smoke checks the path, not the heap figure
                new ConnectionsScenario(bench, o).run(sut);
            }
        } finally {
            sut.close();
        }
    }

    private void latency(String system, SystemUnderTest sut, AgentProcess changer, AgentProcess sub, int publishers) {
        int ids = Math.min(o.latencyDataIds, o.dataIds);
        bench.phase(system + " S2: " + o.subscribers + " subscribers on " + ids + " ids", o.subscribers, List.of(sub));
        changer.call(bench.budget(Duration.ofMinutes(2)), "ticker", "ids", ids, "prefix", "svc");
        sub.call(bench.budget(Duration.ofMinutes(5)), "subscribe", "count", o.subscribers, "ids", ids, "prefix", "svc",
                "total", publishers, "spread", o.dataIds, "ticker", true, "group", "lat", "threads", 8);
        Map<String, String> full = sub.call(bench.budget(Duration.ofMinutes(3)), "awaitFull", "group", "lat", "timeoutMs",
                bench.budget(Duration.ofMinutes(2)).toMillis());
        if (!full.get("full").equals(full.get("of"))) {
            throw new IllegalStateException("only " + full.get("full") + " of " + full.get("of")
                    + " subscribers got the full list");
        }
        if (o.changeWarmupSeconds > 0) {
            // Both systems alike: the push path compiles only once changes flow (a profile of ours'
            // server in the first 20 s of changes had half its CPU in the JIT compiler).
            bench.phase(String.format(Locale.ROOT, "%s S2 warm-up: %d changes/s for %d s (not timed)", system,
                    o.changeRate, o.changeWarmupSeconds), (long) o.changeRate * o.changeWarmupSeconds, List.of(changer));
            changer.call(bench.budget(Duration.ofSeconds(o.changeWarmupSeconds + 120)), "stream",
                    "rate", o.changeRate, "seconds", o.changeWarmupSeconds);
            Jvm.sleep(system.equals("sofa") ? 5000 : 2000); // its last notifications, before the statistics start over
        }
        sub.call(Duration.ofSeconds(30), "resetStats", "group", "lat");
        bench.phase(String.format(Locale.ROOT, "%s S2: %d changes/s for %d s", system, o.changeRate, o.changeSeconds),
                (long) o.changeRate * o.changeSeconds, List.of(changer));
        Map<String, String> stream = changer.call(bench.budget(Duration.ofSeconds(o.changeSeconds + 120)), "stream",
                "rate", o.changeRate, "seconds", o.changeSeconds);
        Jvm.sleep(system.equals("sofa") ? 5000 : 2000); // the last notifications (SOFARegistry waits 1.5 s by design)
        Map<String, String> stats = sub.call(Duration.ofSeconds(30), "stats", "group", "lat");
        Histogram h = Bench.histogram(stats);
        results.latency(system, h);
        String load = String.format(Locale.ROOT, "%d subscribers, %d ids, %d changes/s", o.subscribers, ids, o.changeRate);
        results.add(system, S2, "p50", "ms", Better.LOWER, Bench.ms(h, 50), load);
        results.add(system, S2, "p99", "ms", Better.LOWER, Bench.ms(h, 99));
        results.add(system, S2, "p99.9", "ms", Better.LOWER, Bench.ms(h, 99.9));
        results.add(system, S2, "max", "ms", Better.LOWER, Bench.ms(h, 100));
        results.add(system, S2, "changes delivered and timed (all subscribers)", "count", Better.NONE, h.getTotalCount(),
                Long.parseLong(stats.get("unmeasured")) > 0 ? stats.get("unmeasured") + " merged ones untimed" : null);
        results.add(system, S2, "changes merged into a later notification", "count", Better.NONE,
                Long.parseLong(stats.get("coalesced")));
        results.add(system, S2, "change calls (p99 of the call itself)", "ms", Better.NONE,
                Long.parseLong(stream.get("callP99us")) / 1000.0,
                stream.get("changes") + " changes, " + stream.get("failed") + " failed");
        bench.log("  %s latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms over %,d deliveries (%s merged)",
                system, Bench.ms(h, 50), Bench.ms(h, 99), Bench.ms(h, 99.9), Bench.ms(h, 100), h.getTotalCount(),
                stats.get("coalesced"));
    }

    /** Provider process publishes on a few ids, subscribers watch; kill -9; time until every list drops it. */
    private void deadProvider(SystemUnderTest sut, AgentProcess sub, String variant, String label, Object... options)
            throws Exception {
        String system = sut.name();
        String prefix = "dead-" + variant;
        bench.phase(system + " S3: provider (" + label + ") with " + o.deadDataIds + " publishers, " + o.deadSubscribers
                + " subscribers", o.deadSubscribers, List.of(sub));
        AgentProcess provider = bench.agents(sut, "provider-" + variant, 1, 1, options).get(0);
        provider.call(bench.budget(Duration.ofMinutes(1)), "publish", "count", o.deadDataIds, "ids", o.deadDataIds,
                "prefix", prefix, "kind", "dead", "threads", 1);
        sub.call(bench.budget(Duration.ofMinutes(2)), "subscribe", "count", o.deadSubscribers, "ids", o.deadDataIds,
                "prefix", prefix, "marker", "dead:", "group", prefix, "threads", 4);
        Map<String, String> full = sub.call(bench.budget(Duration.ofMinutes(2)), "awaitFull", "group", prefix,
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
        bench.log("  kill -9 provider (%s) …", label);
        long timeoutMs = bench.budget(Duration.ofSeconds(
                variant.equals("default") && system.startsWith("zookeeper") ? 90 : 30)).toMillis();
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
        bench.log("  %s: provider gone from %d/%d subscribers, last after %.3f s", label, done, of, max);
    }
}
