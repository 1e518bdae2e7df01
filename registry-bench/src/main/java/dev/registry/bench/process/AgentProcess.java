package dev.registry.bench.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The orchestrator's handle on one client agent process ({@code dev.registry.bench.agent.AgentMain}):
 * sends commands on its stdin, matches {@code @id} answers, keeps its last progress count.
 */
public final class AgentProcess implements AutoCloseable {
    private final Proc proc;
    private final Writer stdin;
    private final Map<Integer, CompletableFuture<Map<String, String>>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicLong progress = new AtomicLong();

    private AgentProcess(Proc proc) {
        this.proc = proc;
        this.stdin = new OutputStreamWriter(proc.process().getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "agent-reader-" + proc.name());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code prefix... java <jvmOptions> -cp classpath AgentMain driverClass name}. */
    public static AgentProcess start(String name, List<String> prefix, List<String> jvm, String classpath,
                                     String driverClass, Path log) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", classpath, "dev.registry.bench.agent.AgentMain", driverClass, name));
        return new AgentProcess(Proc.start(name, cmd, log, Map.of(), true));
    }

    private void readAnswers() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.process().getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#p done=")) {
                    progress.set(Long.parseLong(line.substring(8).trim()));
                } else if (line.startsWith("@")) {
                    int sp = line.indexOf(' ');
                    int id = Integer.parseInt(line.substring(1, sp));
                    String rest = line.substring(sp + 1);
                    CompletableFuture<Map<String, String>> f = pending.remove(id);
                    if (f == null) {
                        continue;
                    }
                    if (rest.startsWith("ok")) {
                        f.complete(parse(rest.substring(2)));
                    } else {
                        f.completeExceptionally(new IllegalStateException(proc.name() + ": " + rest));
                    }
                }
            }
        } catch (IOException e) {
            // process gone
        }
        IllegalStateException gone = new IllegalStateException(proc.name() + " exited; log " + proc.log() + ":\n"
                + Jvm.tail(proc.log(), 20));
        pending.values().forEach(f -> f.completeExceptionally(gone));
    }

    private static Map<String, String> parse(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : s.trim().split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    /** Sends a command; the future completes with the agent's answer. Args alternate key, value. */
    public CompletableFuture<Map<String, String>> send(String verb, Object... args) {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, String>> f = new CompletableFuture<>();
        pending.put(id, f);
        StringBuilder sb = new StringBuilder().append(id).append(' ').append(verb);
        for (int i = 0; i + 1 < args.length; i += 2) {
            sb.append(' ').append(args[i]).append('=').append(args[i + 1]);
        }
        try {
            synchronized (stdin) {
                stdin.write(sb.append('\n').toString());
                stdin.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            f.completeExceptionally(new IllegalStateException(proc.name() + " is gone; log " + proc.log() + ":\n"
                    + Jvm.tail(proc.log(), 20)));
        }
        return f;
    }

    /** Sends and waits for the answer. */
    public Map<String, String> call(Duration timeout, String verb, Object... args) {
        return await(send(verb, args), timeout, proc.name() + " " + verb);
    }

    public static Map<String, String> await(CompletableFuture<Map<String, String>> f, Duration timeout, String what) {
        try {
            return f.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public long progress() {
        return progress.get();
    }

    public void resetProgress() {
        progress.set(0);
    }

    public Proc proc() {
        return proc;
    }

    public void kill9() {
        proc.kill9();
    }

    @Override
    public void close() {
        try {
            stdin.close(); // the agent halts on EOF
        } catch (IOException e) {
            // already gone
        }
        proc.stop(3000);
    }
}
