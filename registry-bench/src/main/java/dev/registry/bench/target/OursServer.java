package dev.registry.bench.target;

import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Ours, all roles in one process ({@code java -jar registry-server-...-all.jar}), with its defaults. */
public final class OursServer implements SystemUnderTest {
    private final Proc proc;
    private final int sessionPort;

    private OursServer(Proc proc, int sessionPort) {
        this.proc = proc;
        this.sessionPort = sessionPort;
    }

    public static OursServer start(Workspace ws, int heapMb, List<String> jvmArgs) throws IOException {
        int sp = Jvm.freePort();
        int sh = Jvm.freePort();
        List<String> cmd = new ArrayList<>(Jvm.command(heapMb, "-Xms" + heapMb + "m"));
        if (jvmArgs.stream().anyMatch(a -> a.matches("-XX:\\+Use\\w+GC"))) {
            cmd.remove("-XX:+UseG1GC"); // the options name another collector
        }
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", ws.serverJar().toString(), "--host", "127.0.0.1",
                "--session-port", "" + sp, "--session-http-port", "" + sh,
                "--meta-port", "" + Jvm.freePort(), "--meta-http-port", "" + Jvm.freePort(),
                "--data-port", "" + Jvm.freePort(), "--data-http-port", "" + Jvm.freePort()));
        // A fresh working folder per start: meta keeps its embedded database (leader lease) under ./data.
        Proc p = Proc.start("ours-all-in-one", cmd, ws.log("ours-all-in-one"), Map.of(), false,
                ws.dir("ours-all-in-one-" + System.nanoTime()));
        OursServer s = new OursServer(p, sp);
        try {
            Jvm.await("ours (all-in-one)", Duration.ofSeconds(60),
                    () -> Jvm.httpStatus("http://127.0.0.1:" + sh + "/health/ready") == 200, p);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    @Override
    public String name() {
        return "ours";
    }

    @Override
    public String driverClass() {
        return "dev.registry.bench.agent.OursDriver";
    }

    @Override
    public String clientAddress() {
        return "127.0.0.1:" + sessionPort;
    }

    @Override
    public String connectionAddress() {
        return clientAddress();
    }

    @Override
    public long heapPid() {
        return proc.pid();
    }

    @Override
    public String describe() {
        return "ours: meta + data + session in one JVM (registry-server all-in-one jar, defaults: 256 slots, pushes at once "
                + "(storm bound: 20 rounds per id, then 20/s), client heartbeat 2 s / idle 6 s)";
    }

    @Override
    public void close() {
        proc.kill9();
    }
}
