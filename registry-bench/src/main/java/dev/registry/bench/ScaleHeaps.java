package dev.registry.bench;

import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;
import dev.registry.bench.report.Results;
import dev.registry.bench.report.Results.Better;
import dev.registry.bench.target.ScriptedCluster;
import dev.registry.bench.target.Workspace;
import dev.registry.bench.target.ZooKeeperServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.registry.bench.ScaleScenario.S7;

/**
 * The heap figures of the scale run ({@link ScaleScenario}): the live heap of every node after
 * each step (for ours also what the node's {@code /metrics} say it holds then), the results
 * derived from them, and the report's table with a row per node of every system that ran.
 *
 * <p>Threading: the orchestrator thread.
 */
final class ScaleHeaps {
    private final Bench bench;
    private final BenchMain o;
    private final Workspace ws;
    private final Results results;
    private final List<String> nodeRows = new ArrayList<>();

    ScaleHeaps(Bench bench, BenchMain options, Workspace ws) {
        this.bench = bench;
        this.o = options;
        this.ws = ws;
        this.results = bench.results();
    }

    /** One node's live heap at each step, and what it held. */
    static final class NodeHeap {
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

    // ---- measuring ----

    /** Live heap of every registry node (and what its metrics say it holds) at step {@code label}. */
    void measure(ScriptedCluster c, Map<String, NodeHeap> heaps, String label) {
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
        logStep(heaps, label);
    }

    /** Live heap of every ZooKeeper node at step {@code label}. */
    void measure(ZooKeeperServer z, Map<String, NodeHeap> heaps, String label) {
        bench.log("  live heap of every node (%s) …", label);
        List<Proc> nodes = z.nodes();
        for (Proc p : nodes) {
            NodeHeap nh = heaps.computeIfAbsent(p.name(), NodeHeap::new);
            nh.bytes.put(label, Jvm.liveHeapBytes(p.pid(), ws.log("heap-" + p.name() + "-" + label)));
        }
        logStep(heaps, label);
    }

    private void logStep(Map<String, NodeHeap> heaps, String label) {
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

    // ---- results: ours ----

    /** Ours: the data servers' and sessions' live heap with the publishers, and per publisher copy. */
    void reportPublisherHeaps(String system, Map<String, NodeHeap> heaps) {
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

    /** Ours: the sessions' live heap with the subscribers too, and per subscriber. */
    void reportSubscriberHeaps(String system, Map<String, NodeHeap> heaps) {
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

    // ---- results: ZooKeeper ----

    /** ZooKeeper: every node's live heap with the publishers, and per publisher copy. */
    void reportZooKeeperPublisherHeaps(String name, Map<String, NodeHeap> heaps) {
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
    }

    /** ZooKeeper: heap per child watch, from after the watched paths were created. */
    void reportZooKeeperWatchHeaps(String name, Map<String, NodeHeap> heaps, int nodes, long watches) {
        for (NodeHeap h : heaps.values()) {
            h.subscriberBase = "watch-paths"; // per watch: from after the watched paths were created
            h.subscribers = nodes == 1 ? watches : -1; // each client's watches live on its own server
        }
        long d = heaps.values().stream().mapToLong(h -> h.delta("watch-paths", "subscribers")).sum();
        results.add(name, S7, "heap per subscriber (child watch) over all nodes", "B", Better.LOWER,
                d / (double) watches, String.format(Locale.ROOT, "%,d watches, each held by the node its client is "
                        + "connected to", watches));
    }

    // ---- the table ----

    /** The table rows of one system's nodes, for whatever steps it got through. */
    void addRows(String system, Map<String, NodeHeap> heaps) {
        heaps.values().forEach(h -> nodeRows.add(h.row(system)));
    }

    /** The table of every node's heap as a section of the report; none when no system measured any. */
    void reportTable() {
        if (nodeRows.isEmpty()) {
            return;
        }
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
