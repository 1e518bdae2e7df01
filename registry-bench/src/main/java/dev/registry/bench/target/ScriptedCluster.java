package dev.registry.bench.target;

import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ours as {@code scripts/cluster.sh start --detach} starts it: meta, data servers and sessions,
 * each its own JVM from the runnable jar, meta's database served by an H2 process. The nodes
 * are not children of the bench (the script detaches them), so each is adopted by id
 * ({@link Proc#adopt}) and killed with everything else on exit, Ctrl-C included.
 *
 * <p>Ports as the script assigns them: meta i on base+i, data i on base+10+i, session i on
 * base+20+2i, each node's admin HTTP port 100 above its RPC port.
 */
public final class ScriptedCluster implements SystemUnderTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One node of the cluster: name as the script gives it ({@code data-0}), process id, admin HTTP port. */
    public record Node(String name, long pid, int adminPort) {
        public String role() {
            return name.substring(0, name.indexOf('-'));
        }

        public ProcessHandle handle() {
            return ProcessHandle.of(pid).orElse(null);
        }
    }

    private final String name;
    private final Path dir;
    private final int base;
    private final int dataServers;
    private final int sessions;
    private final List<Node> nodes = new ArrayList<>();

    private ScriptedCluster(String name, Path dir, int base, int dataServers, int sessions) {
        this.name = name;
        this.dir = dir;
        this.base = base;
        this.dataServers = dataServers;
        this.sessions = sessions;
    }

    /**
     * Runs {@code script start --detach} and waits until it returns (the script waits until every
     * session is ready). {@code javaOpts} per role: meta, data, session.
     */
    public static ScriptedCluster start(String name, Path script, Workspace ws, Path dir, int basePort, int metas,
                                        int dataServers, int sessions, String metaOpts, String dataOpts,
                                        String sessionOpts) throws IOException {
        ScriptedCluster c = new ScriptedCluster(name, dir, basePort, dataServers, sessions);
        Files.createDirectories(dir);
        Path log = ws.log(name + "-cluster-sh");
        List<String> cmd = List.of("bash", script.toString(), "start", "--detach", "--metas", "" + metas,
                "--data", "" + dataServers, "--sessions", "" + sessions, "--base-port", "" + basePort,
                "--dir", dir.toString(), "--server-jar", ws.serverJar().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("REGISTRY_META_JAVA_OPTS", metaOpts);
        pb.environment().put("REGISTRY_DATA_JAVA_OPTS", dataOpts);
        pb.environment().put("REGISTRY_SESSION_JAVA_OPTS", sessionOpts);
        Process p = pb.start();
        boolean done;
        try {
            done = p.waitFor(3, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        } finally {
            c.adoptNodes(); // whatever it started, also when it failed half-way
        }
        if (!done || p.exitValue() != 0) {
            p.destroyForcibly();
            c.close();
            throw new IllegalStateException(script + " start " + (done ? "failed (exit " + p.exitValue() + ")"
                    : "did not finish within 3 min") + "; log " + log + ":\n" + Jvm.tail(log, 30));
        }
        return c;
    }

    /** Reads DIR/pids ("name pid" lines) and adopts every process in it. */
    private void adoptNodes() {
        Path pids = dir.resolve("pids");
        if (!Files.isRegularFile(pids)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(pids)) {
                String[] f = line.trim().split("\\s+");
                if (f.length != 2) {
                    continue;
                }
                long pid = Long.parseLong(f[1]);
                if (nodes.stream().anyMatch(n -> n.pid() == pid)) {
                    continue;
                }
                ProcessHandle.of(pid).ifPresent(Proc::adopt);
                nodes.add(new Node(f[0], pid, adminPort(f[0])));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + pids, e);
        }
    }

    private int adminPort(String node) {
        int i = node.contains("-") ? Integer.parseInt(node.substring(node.indexOf('-') + 1)) : 0;
        return switch (node.substring(0, node.indexOf('-'))) {
            case "meta" -> base + i + 100;
            case "data" -> base + 10 + i + 100;
            case "session" -> base + 20 + 2 * i + 100;
            default -> -1; // the H2 server, the load balancer
        };
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The meta, data and session nodes (not the H2 database process). */
    public List<Node> registryNodes() {
        return nodes.stream().filter(n -> n.adminPort() > 0).toList();
    }

    public Path dir() {
        return dir;
    }

    public int dataServers() {
        return dataServers;
    }

    /** Gauges and counters of a node's {@code GET /metrics} (Prometheus text), by name (labels kept). */
    public static Map<String, Double> metrics(Node node) {
        Map<String, Double> out = new HashMap<>();
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics")).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int sp = line.lastIndexOf(' ');
                try {
                    out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
        } catch (IOException e) {
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String driverClass() {
        return "dev.registry.bench.agent.OursDriver";
    }

    @Override
    public String clientAddress() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            out.add("127.0.0.1:" + (base + 20 + 2 * i));
        }
        return String.join(",", out);
    }

    @Override
    public String connectionAddress() {
        return "127.0.0.1:" + (base + 20);
    }

    @Override
    public long heapPid() {
        return nodes.stream().filter(n -> n.role().equals("data")).findFirst().orElseThrow().pid();
    }

    /** kill -9 of data-0, as {@code scripts/cluster.sh kill data 0} does. */
    @Override
    public String killDataServer() {
        Node victim = nodes.stream().filter(n -> n.name().equals("data-0")).findFirst().orElseThrow();
        ProcessHandle h = victim.handle();
        if (h == null || !h.isAlive()) {
            throw new IllegalStateException(victim.name() + " is not running");
        }
        Proc.kill9(h);
        return victim.name();
    }

    @Override
    public String describe() {
        return name + ": scripts/cluster.sh, " + nodes.stream().filter(n -> n.role().equals("meta")).count() + " meta + "
                + dataServers + " data (2 copies per slot) + " + sessions + " session JVMs and an H2 process on loopback, "
                + "defaults (256 slots, data lease 6 s, push window 200 ms); logs in " + dir.resolve("logs");
    }

    /** kill -9 of every node: a teardown, not a graceful stop (that would hand every slot around first). */
    @Override
    public void close() {
        for (Node n : nodes) {
            ProcessHandle h = n.handle();
            if (h != null) {
                h.destroyForcibly();
            }
        }
        for (Node n : nodes) {
            ProcessHandle h = n.handle();
            if (h != null) {
                Proc.kill9(h);
            }
        }
    }
}
