package dev.registry.bench.process;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A process the bench started: a server under test or a client agent. Every live one is
 * tracked so that {@link #killAll()} (run by a shutdown hook and after every phase) leaves
 * nothing behind. Processes started for the bench by a script, which are not this JVM's
 * children (the nodes of {@code scripts/cluster.sh --detach}), are tracked by id with
 * {@link #adopt}.
 */
public final class Proc {
    private static final Set<Proc> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<ProcessHandle> ADOPTED = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Process process;
    private final Path log;

    private Proc(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code command} with stdout and stderr appended to {@code log}, or, when
     * {@code pipeStdio}, with stdin/stdout as pipes (agents) and only stderr to the log.
     */
    public static Proc start(String name, List<String> command, Path log, Map<String, String> env, boolean pipeStdio)
            throws IOException {
        return start(name, command, log, env, pipeStdio, null);
    }

    /** As above, in working directory {@code dir} (null: this process's). */
    public static Proc start(String name, List<String> command, Path log, Map<String, String> env, boolean pipeStdio,
                             Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        if (pipeStdio) {
            pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } else {
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Proc p = new Proc(name, pb.start(), log);
        LIVE.add(p);
        return p;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(this);
    }

    /** SIGTERM, then SIGKILL after {@code graceMillis}. */
    public void stop(long graceMillis) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        LIVE.remove(this);
    }

    /** Where adopted process ids are also written, one a line, for the caller's own cleanup (bench.sh). */
    private static volatile Path adoptedPidsFile;

    public static void recordAdoptedPidsIn(Path file) {
        adoptedPidsFile = file;
    }

    /** Tracks a process a script started for the bench: {@link #killAll()} kills it too. */
    public static void adopt(ProcessHandle process) {
        ADOPTED.add(process);
        Path file = adoptedPidsFile;
        if (file != null) {
            try {
                java.nio.file.Files.writeString(file, process.pid() + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("cannot record pid " + process.pid() + " in " + file + ": " + e);
            }
        }
    }

    /** SIGKILL to an adopted process, and waits until it is gone. */
    public static void kill9(ProcessHandle process) {
        process.destroyForcibly();
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // still reported by liveCount
        }
        ADOPTED.remove(process);
    }

    /** Kills every process this JVM started (or adopted) and that is still running. */
    public static void killAll() {
        List<Proc> all = new ArrayList<>(LIVE);
        all.forEach(p -> p.process.destroyForcibly());
        List<ProcessHandle> adopted = new ArrayList<>(ADOPTED);
        adopted.forEach(ProcessHandle::destroyForcibly);
        all.forEach(p -> {
            try {
                p.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        adopted.forEach(Proc::kill9);
        LIVE.removeAll(all);
    }

    public static int liveCount() {
        return (int) (LIVE.stream().filter(Proc::isAlive).count() + ADOPTED.stream().filter(ProcessHandle::isAlive).count());
    }

    @Override
    public String toString() {
        return name + "(pid " + pid() + ")";
    }
}
