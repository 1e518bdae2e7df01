package dev.registry.bench;

import dev.registry.bench.process.AgentProcess;
import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;
import dev.registry.bench.report.Results;
import dev.registry.bench.report.Results.Better;
import dev.registry.bench.target.SystemUnderTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.registry.bench.Bench.S5;

/**
 * Scenario 5: idle connections on one server, opened by raw-connection agents from several
 * loopback source addresses; how many the server still holds once its idle timeout has passed,
 * and its live heap with them.
 *
 * <p>Threading: the orchestrator thread.
 */
final class ConnectionsScenario {
    private final Bench bench;
    private final BenchMain o;
    private final Results results;

    ConnectionsScenario(Bench bench, BenchMain options) {
        this.bench = bench;
        this.o = options;
        this.results = bench.results();
    }

    /** On a server of its own, with the heap scenario 5 gives it. */
    void run(String system) throws Exception {
        SystemUnderTest sut = bench.start(system, o.connectionsHeapMb);
        try {
            run(sut);
        } finally {
            sut.close();
        }
    }

    /** On a server already running (smoke: the one of scenarios 1-4). */
    void run(SystemUnderTest sut) throws Exception {
        String system = sut.name();
        long heap0 = bench.heap(sut);
        int procs = o.connectionProcesses;
        List<AgentProcess> agents = new ArrayList<>();
        for (int i = 0; i < procs; i++) {
            agents.add(bench.agent(sut, "conn" + i, "none"));
        }
        bench.phase(system + " S5: " + o.connections + " idle connections from " + o.sources, o.connections, agents);
        List<CompletableFuture<Map<String, String>>> f = new ArrayList<>();
        int per = o.connections / procs;
        for (int i = 0; i < procs; i++) {
            int count = i == procs - 1 ? o.connections - per * (procs - 1) : per;
            f.add(agents.get(i).send("conns", "protocol", system, "address", sut.connectionAddress(),
                    "count", count, "sources", o.sources, "inflight", 200));
        }
        long opened = Bench.sum(Bench.all(f, bench.budget(Duration.ofMinutes(5)), "conns"), "opened");
        // Longer than every idle timeout (ours: 6 s without a heartbeat): what is still open is held.
        Jvm.sleep(o.smoke ? 2000 : 8000);
        List<CompletableFuture<Map<String, String>>> alive = new ArrayList<>();
        agents.forEach(a -> alive.add(a.send("connsAlive")));
        long held = Bench.sum(Bench.all(alive, Duration.ofSeconds(30), "connsAlive"), "alive");
        long heap1 = bench.heap(sut);
        boolean serverAlive = Proc.liveCount() > 0;
        results.add(system, S5, "connections held", "count", Better.HIGHER, held,
                String.format(Locale.ROOT, "%,d opened, heap max %d MB", opened, o.connectionsHeapMb));
        results.add(system, S5, "heap per connection", "B", Better.LOWER, held == 0 ? 0 : (heap1 - heap0) / (double) held);
        results.add(system, S5, "server live heap with all connections", "MB", Better.LOWER, heap1 / 1048576.0);
        bench.log("  %s: %,d of %,d connections held, live heap %.1f MB (server alive: %s)", system, held, o.connections,
                heap1 / 1048576.0, serverAlive);
        agents.forEach(AgentProcess::close);
    }
}
