package dev.registry.bench.process;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Java command lines, free ports, readiness polling and heap measurement. */
public final class Jvm {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Jvm() {
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java -Xmx<heapMb>m -Xms<heapMb>m} plus the given options; a fixed heap keeps runs comparable. */
    public static List<String> command(int heapMb, String... options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("-Xmx" + heapMb + "m");
        cmd.add("-XX:+UseG1GC");
        cmd.addAll(List.of(options));
        return cmd;
    }

    /** The classpath this JVM runs with (the bench jar, or the test classpath in the smoke test). */
    public static String ownClasspath() {
        return System.getProperty("java.class.path");
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** HTTP GET status, or -1 when nothing answers. */
    public static int httpStatus(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Polls {@code ready} every 100 ms; fails with the process log's tail after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier ready, Proc... watched) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            for (Proc p : watched) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(p + " exited while waiting for " + what + "; log " + p.log()
                            + ":\n" + tail(p.log(), 30));
                }
            }
            if (System.nanoTime() > deadline) {
                StringBuilder sb = new StringBuilder(what + " not ready after " + timeout.toSeconds() + " s");
                for (Proc p : watched) {
                    sb.append("\n--- ").append(p).append(" log ").append(p.log()).append(":\n").append(tail(p.log(), 30));
                }
                throw new IllegalStateException(sb.toString());
            }
            sleep(100);
        }
    }

    public static String tail(Path log, int lines) {
        try {
            List<String> all = java.nio.file.Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Live heap of a JVM after a full GC: {@code jcmd <pid> GC.class_histogram} collects first
     * (it histograms live objects only) and its Total line is the bytes of every live object.
     */
    public static long liveHeapBytes(long pid) {
        return liveHeapBytes(pid, null);
    }

    /** As {@link #liveHeapBytes(long)}, keeping the whole class histogram in {@code saveTo} (if not null). */
    public static long liveHeapBytes(long pid, Path saveTo) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.class_histogram")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + pid + " failed: " + out);
            }
            if (saveTo != null) {
                java.nio.file.Files.writeString(saveTo, out);
            }
            for (String line : out.split("\n")) {
                String t = line.trim();
                if (t.startsWith("Total")) {
                    String[] f = t.split("\\s+");
                    return Long.parseLong(f[f.length - 1]);
                }
            }
            throw new IllegalStateException("no Total line in jcmd output: " + out);
        } catch (IOException e) {
            throw new IllegalStateException("jcmd failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
