package dev.registry.bench;

import dev.registry.bench.process.AgentProcess;
import dev.registry.bench.process.Jvm;
import dev.registry.bench.report.Results;
import dev.registry.bench.report.Results.Better;
import dev.registry.bench.target.OursCluster;
import dev.registry.bench.target.SystemUnderTest;
import dev.registry.bench.target.Workspace;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Scenario 6: the multi-process cluster (ours: 1 meta, 3 data servers, 2 sessions; ZooKeeper: a
 * 3-node ensemble). A warm-up, the cluster's registrations/s, then a stream of changes to
 * subscribers with a {@code kill -9} of a data server (ZooKeeper: its leader) in the middle: how
 * long until every subscriber is whole again, shrunken pushes, failed changes, latency across it.
 */
final class FailoverScenario {
    private final Bench bench;
    private final BenchMain o;
    private final Workspace ws;
    private final Results results;

    FailoverScenario(Bench bench, BenchMain options, Workspace ws) {
        this.bench = bench;
        this.o = options;
        this.ws = ws;
        this.results = bench.results();
    }

    void run(String system) throws Exception {
        String name = system + (system.equals("ours") ? "-cluster" : "-ensemble");
        bench.log("starting %s …", name);
        long t0 = System.nanoTime();
        SystemUnderTest sut = system.equals("ours") ? OursCluster.start(ws, o.clusterHeapMb, 3, 2)
                : dev.registry.bench.target.ZooKeeperServer.start(ws, o.clusterHeapMb, 3, Jvm.ownClasspath());
        bench.log("%s ready in %.1f s", name, (System.nanoTime() - t0) / 1e9);
        results.note(sut.name(), sut.describe());
        try {
            AgentProcess pub = bench.agents(sut, "fo-pub", 1, o.failoverClients).get(0);
            AgentProcess sub = bench.agents(sut, "fo-sub", 1, o.failoverClients).get(0);
            bench.warmUp(sut, List.of(pub), Math.min(o.warmupPublishers, o.failoverPublishers), "fo-warm",
                    o.failoverDataIds, o.failoverClients, true);
            bench.phase(name + " S6: " + o.failoverPublishers + " publishers", o.failoverPublishers, List.of(pub));
            double[] r = bench.register(sut, List.of(pub), o.failoverPublishers, "fo", o.failoverDataIds, o.failoverClients,
                    o.threadsPerClient, o.inflightPerClient);
            results.add(sut.name(), Bench.S1, "registrations/s", "1/s", Better.HIGHER, r[0],
                    String.format(Locale.ROOT, "%,d publishers, %d connections", o.failoverPublishers, o.failoverClients));
            if (r[2] != 0) {
                throw new IllegalStateException((long) r[2] + " registrations failed before the failover");
            }
            pub.call(bench.budget(Duration.ofMinutes(1)), "ticker", "ids", o.failoverDataIds, "prefix", "fo");
            bench.phase(name + " S6: " + o.failoverSubscribers + " subscribers", o.failoverSubscribers, List.of(sub));
            sub.call(bench.budget(Duration.ofMinutes(3)), "subscribe", "count", o.failoverSubscribers, "ids", o.failoverDataIds,
                    "prefix", "fo", "total", o.failoverPublishers, "ticker", true, "group", "fo", "threads", 8);
            Map<String, String> full = sub.call(bench.budget(Duration.ofMinutes(3)), "awaitFull", "group", "fo", "timeoutMs", 90_000);
            if (!full.get("full").equals(full.get("of"))) {
                throw new IllegalStateException("only " + full.get("full") + " of " + full.get("of") + " subscribers full");
            }
            sub.call(Duration.ofSeconds(30), "resetStats", "group", "fo");
            int warm = o.smoke ? 2 : 5;
            int streamSeconds = warm + o.failoverObserveSeconds;
            bench.phase(String.format(Locale.ROOT, "%s S6: %d changes/s, kill -9 after %d s", name, o.failoverRate, warm),
                    (long) o.failoverRate * streamSeconds, List.of(pub));
            CompletableFuture<Map<String, String>> stream = pub.send("stream", "rate", o.failoverRate, "seconds",
                    streamSeconds, "threads", 8);
            Jvm.sleep(warm * 1000L - 200);
            long since = System.nanoTime() + 200_000_000L;
            sub.call(Duration.ofSeconds(10), "watchRecovery", "group", "fo", "since", since);
            while (System.nanoTime() < since) {
                Thread.onSpinWait();
            }
            String killed = sut.killDataServer();
            bench.log("  kill -9 %s", killed);
            Map<String, String> rec = sub.call(bench.budget(Duration.ofSeconds(o.failoverObserveSeconds + 30)), "awaitRecovery",
                    "group", "fo", "since", since, "timeoutMs", o.failoverObserveSeconds * 1000L);
            Map<String, String> s = AgentProcess.await(stream, bench.budget(Duration.ofSeconds(streamSeconds + 90)), "stream");
            Jvm.sleep(2000);
            Map<String, String> stats = sub.call(Duration.ofSeconds(30), "stats", "group", "fo");
            Histogram h = Bench.histogram(stats);
            int done = Integer.parseInt(rec.get("done"));
            int of = Integer.parseInt(rec.get("of"));
            double max = Long.parseLong(rec.get("maxUs")) / 1e6;
            results.add(sut.name(), Bench.S6, "every subscriber sees all live publishers and a post-kill change", "s",
                    Better.LOWER, max, (done == of ? of + " subscribers" : "only " + done + " of " + of) + ", killed " + killed);
            results.add(sut.name(), Bench.S6, "shrunken pushes (must be 0)", "count", Better.LOWER,
                    Long.parseLong(stats.get("shrunken")));
            results.add(sut.name(), Bench.S6, "failed changes during the run", "count", Better.LOWER,
                    Long.parseLong(s.get("failed")), s.get("changes") + " succeeded");
            results.add(sut.name(), Bench.S6, "max change-to-notification latency across the failover", "ms", Better.LOWER,
                    Bench.ms(h, 100), String.format(Locale.ROOT, "p50 %.1f ms", Bench.ms(h, 50)));
            bench.log("  %s: recovered in %.3f s (%d/%d), %s shrunken pushes, %s failed changes, max latency %.0f ms", name, max,
                    done, of, stats.get("shrunken"), s.get("failed"), Bench.ms(h, 100));
        } finally {
            sut.close();
        }
    }
}
