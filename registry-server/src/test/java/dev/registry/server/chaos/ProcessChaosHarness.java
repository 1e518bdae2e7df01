package dev.registry.server.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A chaos scenario on a real multi-process cluster started by {@code scripts/cluster.sh} (3
 * metas on an H2 server process, 3 data servers, 2 sessions, each its own JVM running the
 * runnable jar), with in-JVM clients as publishers and subscribers connected straight to the
 * sessions' client ports. Faults are signals to the nodes' pids (from the cluster's pid file):
 * SIGKILL and SIGTERM (a session drains, a data server hands off its slots, a meta releases its
 * lease) of data servers, sessions and the meta leader, each restarted with {@code cluster.sh
 * start-node} after the next fault, and SIGSTOP/SIGCONT, a true stop-the-world pause of 1-8 s;
 * reset, blackhole (at most {@link #MAX_BLACKHOLE}) and delay of client links (the churn clients
 * and one subscriber reach each session through a {@link FaultyProxy}; the anchor client and
 * the other subscriber connect straight); the metas' database down (its H2 server process
 * killed, restarted on the same file after the next fault) or hung (SIGSTOP); plus client
 * deaths. At most one node per role is down or paused at a time.
 *
 * <p>Bounds follow the launcher's defaults: a session drops a silent client after 6 s, a data
 * server keeps a vanished session's publishers for 20 s, so a dead client whose session was
 * killed with it is gone within 25 s ({@link #DEAD_BOUND}).
 */
final class ProcessChaosHarness extends ChaosScenario {
    static final Duration DEAD_BOUND = Duration.ofSeconds(25);
    /** A write is pushed within a second (DESIGN.md); more slack than in one JVM: nine JVMs share two cores. */
    static final Duration PUSH_BOUND = Duration.ofSeconds(5);
    static final Duration SETTLE_BOUND = Duration.ofSeconds(60);
    static final int BASE_PORT = Integer.getInteger("chaos.process.basePort", 9850);
    static final int METAS = 3;
    static final int DATA = 3;
    static final int SESSIONS = 2;

    static final List<String> KINDS = List.of(
            "SIGKILL data server", "SIGTERM data server", "SIGSTOP data server",
            "SIGKILL session", "SIGTERM session", "SIGSTOP session",
            "SIGKILL meta leader", "SIGTERM meta leader", "SIGSTOP meta leader",
            "reset client links", "blackhole client links", "delay client links",
            "SIGKILL meta database", "SIGSTOP meta database",
            "client dies");

    private final Path repo;
    private final Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    /** Per session, the proxy in front of its client port that the churn clients and one subscriber use. */
    private final List<FaultyProxy> clientProxies = new ArrayList<>();
    /** Nodes ("data-1") that are down and will be restarted by a pending repair. */
    private final Set<String> down = new HashSet<>();

    ProcessChaosHarness(long seed, Path repo, Path dir) {
        super(seed, KINDS, DEAD_BOUND, PUSH_BOUND, SETTLE_BOUND);
        this.repo = repo;
        this.dir = dir;
    }

    static Path serverJar(Path repo) {
        return repo.resolve("registry-server/target/registry-server-0.1.0-SNAPSHOT-all.jar");
    }

    /** Starts the cluster (detached) and the workload. */
    void setUp() throws Exception {
        clusterSh(180, "stop"); // a cluster left over from an interrupted run in this directory
        clusterSh(180, "start", "--detach", "--metas", "" + METAS, "--data", "" + DATA, "--sessions", "" + SESSIONS,
                "--meta-lease-millis", "3000", "--meta-renew-millis", "500");
        StringBuilder sessions = new StringBuilder();
        for (int i = 0; i < SESSIONS; i++) {
            int port = BASE_PORT + 20 + 2 * i; // a restarted session binds the same port: proxies stay valid
            clientProxies.add(new FaultyProxy(port));
            sessions.append(i == 0 ? "" : ",").append("127.0.0.1:").append(port);
        }
        // The anchor client and the stable subscriber connect straight; link faults hit the others.
        String proxied = FaultyProxy.addresses(clientProxies);
        workload = new Workload(checker, sessions.toString(), List.of(sessions.toString(), proxied), proxied,
                this::dampedOnAnySession);
        checker.log("process cluster in " + dir + ", pids " + pids());
    }

    private String clusterSh(int timeoutSeconds, String command, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", repo.resolve("scripts/cluster.sh").toString(), command));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("--dir", dir.toString(), "--base-port", "" + BASE_PORT));
        return run(timeoutSeconds, cmd);
    }

    private String clusterShNode(String command, String node) throws Exception {
        String[] roleAndIndex = node.split("-");
        return run(60, List.of("bash", repo.resolve("scripts/cluster.sh").toString(), command, roleAndIndex[0],
                roleAndIndex[1], "--dir", dir.toString()));
    }

    private static String run(int timeoutSeconds, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Read on another thread: a detached start leaves children holding the pipe open.
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
        }
        reader.join(2000);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
        return out.toString();
    }

    /** "name pid" lines of the cluster's pid file. */
    private Map<String, Long> pids() throws IOException {
        Map<String, Long> out = new HashMap<>();
        Path file = dir.resolve("pids");
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    out.put(parts[0], Long.parseLong(parts[1]));
                }
            }
        }
        return out;
    }

    private void signal(String node, String signal) throws Exception {
        Long pid = pids().get(node);
        if (pid == null) {
            throw new IllegalStateException("no pid for " + node + " in " + dir.resolve("pids"));
        }
        run(10, List.of("kill", "-s", signal, "" + pid));
        if (!signal.equals("STOP") && !signal.equals("CONT")) {
            // Wait until it is gone, so a restart can bind its ports.
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent()) {
                h.get().onExit().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Asks every session's admin API whether it damps this client (a session that does not answer: no). */
    private boolean dampedOnAnySession(String clientId) {
        for (int i = 0; i < SESSIONS; i++) {
            int adminPort = BASE_PORT + 20 + 2 * i + 100; // cluster.sh: admin port = client port + 100
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                        + "/api/v1/damped-clients?client=" + clientId)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.body().matches("(?s).*\"heldOnNextLoss\"\\s*:\\s*true.*")) {
                    return true;
                }
            } catch (IOException e) {
                // down or restarting: it holds nothing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true; // cannot tell: the longer bound
            }
        }
        return false;
    }

    private Optional<String> metaLeader() {
        for (int i = 0; i < METAS; i++) {
            String node = "meta-" + i;
            if (down.contains(node)) {
                continue;
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + (BASE_PORT + i + 100) + "/api/v1/leader")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.body().matches("(?s).*\"leader\"\\s*:\\s*true.*")) {
                    return Optional.of(node);
                }
            } catch (IOException e) {
                // not answering: not the leader we can fault
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** A running node of the role, or empty if one of that role is down already. */
    private Optional<String> victim(String role, int count) throws Exception {
        if (down.stream().anyMatch(n -> n.startsWith(role + "-"))) {
            return Optional.empty();
        }
        if (role.equals("meta")) {
            return metaLeader();
        }
        return Optional.of(role + "-" + random.nextInt(count));
    }

    @Override
    Runnable inject(String kind) throws Exception {
        if (kind.equals("client dies")) {
            workload.clientDies(random);
            return null;
        }
        if (kind.endsWith("client links")) {
            return linkFault(kind, clientProxies.get(random.nextInt(clientProxies.size())));
        }
        // The metas' database is the H2 server process of cluster.sh ("h2-0"): killed it is an
        // outage (restarted on the same file after the next fault), stopped a database that hangs.
        String role = kind.contains("database") ? "h2" : kind.contains("meta") ? "meta" : kind.contains("data") ? "data"
                : "session";
        Optional<String> node = victim(role, role.equals("data") ? DATA : role.equals("h2") ? 1 : SESSIONS);
        if (node.isEmpty()) {
            checker.skipped(kind);
            return null;
        }
        String n = node.get();
        checker.count(kind);
        // Churn clients of a stopped or killed session look gone until they reconnect elsewhere.
        long[] churnExcuse = role.equals("session") ? checker.excuseChurn(kind) : null;
        if (kind.startsWith("SIGSTOP")) {
            long millis = 1000 + random.nextInt(7000);
            checker.log("SIGSTOP " + n + " for " + millis + " ms");
            down.add(n);
            signal(n, "STOP");
            try {
                LockSupport.parkNanos(millis * 1_000_000L);
            } finally {
                signal(n, "CONT");
                down.remove(n);
            }
            checker.restartDeadClocks();
            if (churnExcuse != null) {
                checker.endChurnExcuse(churnExcuse);
            }
            checker.log("SIGCONT " + n);
            return null;
        }
        String signal = kind.startsWith("SIGKILL") ? "KILL" : "TERM";
        checker.log("SIG" + signal + " " + n);
        down.add(n);
        signal(n, signal);
        if (churnExcuse != null) {
            checker.endChurnExcuse(churnExcuse);
        }
        checker.log(n + " exited");
        return () -> {
            try {
                clusterShNode("start-node", n);
                down.remove(n);
                checker.log("restarted " + n + " (pid " + pids().get(n) + ")");
            } catch (Exception e) {
                throw new IllegalStateException("cannot restart " + n, e);
            }
        };
    }

    @Override
    void healAll() throws Exception {
        for (FaultyProxy p : clientProxies) {
            p.setBlackhole(false);
            p.setDelayMillis(0);
        }
        for (String n : new ArrayList<>(down)) {
            clusterShNode("start-node", n);
            down.remove(n);
        }
    }

    @Override
    public void close() throws Exception {
        stopLinkFaults();
        try {
            if (workload != null) {
                workload.close();
            }
            clientProxies.forEach(FaultyProxy::close);
        } finally {
            for (Long pid : pids().values()) {
                ProcessHandle.of(pid).ifPresent(h -> {
                    try {
                        run(10, List.of("kill", "-s", "CONT", "" + pid)); // nothing stays stopped
                    } catch (Exception e) {
                        checker.log("SIGCONT " + pid + ": " + e.getMessage());
                    }
                });
            }
            clusterSh(180, "stop");
        }
    }
}
