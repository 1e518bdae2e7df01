package dev.registry.bench;

import dev.registry.bench.process.AgentProcess;
import dev.registry.bench.process.Jvm;
import dev.registry.bench.report.Results;
import dev.registry.bench.report.Results.Better;
import dev.registry.bench.target.ScriptedCluster;
import dev.registry.bench.target.Workspace;
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

import static dev.registry.bench.ScaleScenario.S7;

/**
 * The last phase of the scale run ({@link ScaleScenario}) on ours' cluster: {@code kill -9} of a
 * data server while the tickers change, timed until every ticker subscriber is whole again. Thread
 * dumps of the survivors and the takeover times they log go to the logs folder and the report,
 * to show what the nodes were doing meanwhile.
 *
 * <p>Threading: the orchestrator thread; the thread dumps on a daemon of their own.
 */
final class ScaleDataServerKill {
    private final Bench bench;
    private final BenchMain o;
    private final Workspace ws;
    private final Results results;

    ScaleDataServerKill(Bench bench, BenchMain options, Workspace ws) {
        this.bench = bench;
        this.o = options;
        this.ws = ws;
        this.results = bench.results();
    }

    /** kill -9 of data-0 while the tickers change; as scenario 6, over the ticker ids' subscribers. */
    void run(String system, ScriptedCluster c, AgentProcess changer, List<AgentProcess> subs) throws Exception {
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
                        done == of ? "" : "only " + done + " of ", of, Math.min(o.scaleProbeIds, ScaleScenario.ids(o)), killed));
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
}
