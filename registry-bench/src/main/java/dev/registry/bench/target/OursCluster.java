package dev.registry.bench.target;

import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ours as a multi-process cluster: one meta, {@code dataServers} data servers (2 copies of
 * every slot), {@code sessions} session servers, each its own JVM on loopback.
 */
public final class OursCluster implements SystemUnderTest {
    private final List<Proc> procs = new ArrayList<>();
    private final List<Proc> data = new ArrayList<>();
    private final List<Integer> sessionPorts = new ArrayList<>();
    private final int dataServers;
    private final int sessions;

    private OursCluster(int dataServers, int sessions) {
        this.dataServers = dataServers;
        this.sessions = sessions;
    }

    public static OursCluster start(Workspace ws, int heapMb, int dataServers, int sessions) throws IOException {
        OursCluster c = new OursCluster(dataServers, sessions);
        try {
            int mp = Jvm.freePort();
            int mh = Jvm.freePort();
            String metas = "127.0.0.1:" + mp;
            c.procs.add(c.role(ws, heapMb, "meta", "--role", "meta", "--meta-port", "" + mp, "--meta-http-port", "" + mh));
            List<Integer> readyPorts = new ArrayList<>();
            for (int i = 1; i <= dataServers; i++) {
                int dh = Jvm.freePort();
                Proc p = c.role(ws, heapMb, "data-" + i, "--role", "data", "--meta-servers", metas,
                        "--data-port", "" + Jvm.freePort(), "--data-http-port", "" + dh);
                c.procs.add(p);
                c.data.add(p);
                readyPorts.add(dh);
            }
            for (int i = 1; i <= sessions; i++) {
                int sp = Jvm.freePort();
                int sh = Jvm.freePort();
                c.procs.add(c.role(ws, heapMb, "session-" + i, "--role", "session", "--meta-servers", metas,
                        "--session-port", "" + sp, "--session-http-port", "" + sh));
                c.sessionPorts.add(sp);
                readyPorts.add(sh);
            }
            Jvm.await("ours cluster", Duration.ofSeconds(90), () -> readyPorts.stream()
                    .allMatch(p -> Jvm.httpStatus("http://127.0.0.1:" + p + "/health/ready") == 200),
                    c.procs.toArray(new Proc[0]));
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private Proc role(Workspace ws, int heapMb, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(Jvm.command(heapMb));
        cmd.addAll(List.of("-jar", ws.serverJar().toString(), "--host", "127.0.0.1"));
        cmd.addAll(List.of(args));
        // A fresh working folder per start: meta keeps its embedded database (leader lease) under ./data.
        return Proc.start("ours-" + name, cmd, ws.log("ours-cluster-" + name), Map.of(), false,
                ws.dir("ours-cluster-" + name + "-" + System.nanoTime()));
    }

    @Override
    public String name() {
        return "ours-cluster";
    }

    @Override
    public String driverClass() {
        return "dev.registry.bench.agent.OursDriver";
    }

    @Override
    public String clientAddress() {
        return String.join(",", sessionPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    @Override
    public String connectionAddress() {
        return "127.0.0.1:" + sessionPorts.get(0);
    }

    @Override
    public long heapPid() {
        return data.get(0).pid();
    }

    @Override
    public String killDataServer() {
        Proc victim = data.get(0);
        victim.kill9();
        return victim.name();
    }

    @Override
    public String describe() {
        return "ours-cluster: 1 meta + " + dataServers + " data (2 copies per slot) + " + sessions
                + " session JVMs on loopback, defaults (data lease 6 s)";
    }

    @Override
    public void close() {
        procs.forEach(Proc::kill9);
    }
}
