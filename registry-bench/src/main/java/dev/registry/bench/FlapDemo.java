package dev.registry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.HostAndPort;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Flap damping (issue 16) against a running registry, with real processes and sockets: a provider
 * whose link to the session is reset every {@code --reset-every-millis} (and refused for
 * {@code --down-millis} after each reset) must stay visible to a subscriber, without repeated
 * pushes, and be listed as damped; a stable provider in another process that is killed with
 * SIGKILL must be gone within a second. Prints a summary line and PASS/FAIL verdicts; exit code
 * 0 when every verdict passes. {@code scripts/flap-demo.sh} starts a registry and runs it.
 *
 * <p>With {@code --provide VALUE} it is instead the stable provider: publishes VALUE directly to
 * the session, prints {@value #READY} and stays until killed or until its parent is gone.
 */
@Command(name = "flap-demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Shows flap damping: a provider behind a resetting proxy stays listed; a stable one killed is gone at once.")
public final class FlapDemo implements Callable<Integer> {
    private static final String READY = "ready";
    private static final String FLAPPING_VALUE = "10.0.0.1:20880";
    private static final String STABLE_VALUE = "10.0.0.2:20880";
    // The "done when" bounds.
    private static final int MAX_GONE_PUSHES = 2;
    private static final int MAX_REPEATED_PUSHES = 3;
    private static final long MAX_STABLE_GONE_MILLIS = 1000;

    @Option(names = "--session", defaultValue = "127.0.0.1:9600", description = "session client address (default: ${DEFAULT-VALUE})")
    String session;

    @Option(names = "--admin-port", defaultValue = "9603", description = "session admin HTTP port (default: ${DEFAULT-VALUE})")
    int adminPort;

    @Option(names = "--seconds", defaultValue = "60", description = "how long the link flaps (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--reset-every-millis", defaultValue = "2500", description = "one reset this often (default: ${DEFAULT-VALUE})")
    long resetEveryMillis;

    @Option(names = "--down-millis", defaultValue = "1500", description = "after a reset, new connections are reset this long (default: ${DEFAULT-VALUE})")
    long downMillis;

    @Option(names = "--data-id", defaultValue = "flap-demo", description = "service the providers publish (default: ${DEFAULT-VALUE})")
    String dataId;

    @Option(names = "--provide", hidden = true, description = "internal: run as the stable provider publishing this value")
    String provideValue;

    /** One push as the subscriber saw it; values sorted so that equal lists compare equal. */
    record Push(List<String> values, long version, long atNanos) {
        boolean contains(String value) {
            return values.contains(value);
        }
    }

    private final List<Push> pushes = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    private volatile Process stableProvider;
    private volatile boolean cleanedUp;

    /**
     * The wire codec's hessian warns through java.util.logging, on every JVM start on Java 17, that
     * it cannot open JDK internals; harmless (the server's logback config silences it too). Kept
     * in a field: java.util.logging holds its loggers weakly, and a collected one forgets its level.
     */
    private static final java.util.logging.Logger HESSIAN_LOG = java.util.logging.Logger.getLogger("com.caucho");

    public static void main(String[] args) {
        HESSIAN_LOG.setLevel(java.util.logging.Level.SEVERE);
        System.exit(new CommandLine(new FlapDemo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (resetEveryMillis <= downMillis || downMillis < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--down-millis must be >= 0 and shorter than --reset-every-millis");
        }
        return provideValue != null ? runStableProvider() : runDemo();
    }

    // ---- the stable provider (child process) ----

    private int runStableProvider() throws IOException {
        try (RegistryClient client = RegistryClient.start(RegistryClientConfig.builder(session)
                .appName("flap-demo-stable").build())) {
            client.publish(DataInfoId.of(dataId), List.of(provideValue));
            System.out.println(READY);
            System.out.flush();
            // Stay until killed. The parent holds our stdin open: end of input means it is gone
            // (even if it was killed itself), so no orphan outlives it.
            InputStream in = System.in;
            byte[] sink = new byte[256];
            while (in.read(sink) >= 0) {
                // nothing is ever sent; just wait for the end
            }
        }
        return 0;
    }

    // ---- the demo ----

    private int runDemo() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanup, "flap-demo-cleanup"));
        try {
            return demo();
        } finally {
            cleanup();
        }
    }

    private int demo() throws Exception {
        DataInfoId id = DataInfoId.of(dataId);
        HostAndPort sessionAddress = HostAndPort.fromString(session);

        ResettingProxy proxy = new ResettingProxy(
                new InetSocketAddress(sessionAddress.getHost(), sessionAddress.getPort()));
        toClose.add(proxy);
        System.out.printf("proxy 127.0.0.1:%d -> %s%n", proxy.port(), session);

        RegistryClient subscriber = RegistryClient.start(RegistryClientConfig.builder(session)
                .appName("flap-demo-subscriber").build());
        toClose.add(subscriber);
        subscriber.subscribe(id, this::record);

        // Only through the proxy: a learnt direct session address would bypass the faults.
        RegistryClient flapping = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:" + proxy.port())
                .appName("flap-demo-flapping").discoverSessions(false).build());
        toClose.add(flapping);
        flapping.publish(id, List.of(FLAPPING_VALUE));

        stableProvider = startStableProvider();

        if (!awaitTrue(Duration.ofSeconds(30), () -> lastShowsBoth())) {
            System.out.println("FAIL subscriber never showed both providers; pushes: " + pushes);
            return 1;
        }
        int baseline = pushes.size(); // the pushes up to the first full list are the start-up, not flapping
        System.out.printf("subscriber shows both providers (flapping client %s); flapping for %d s%n",
                flapping.clientId(), seconds);

        int resets = runFaultSchedule(proxy, baseline);

        boolean recovered = awaitTrue(Duration.ofSeconds(15), () -> flapping.isConnected() && lastShowsBoth());
        List<Push> flapPeriod = List.copyOf(pushes.subList(baseline, pushes.size()));
        Push beforeFlapping = pushes.get(baseline - 1);
        if (!recovered) {
            System.out.printf("after the schedule: flapping client connected=%s, subscriber's last list %s%n",
                    flapping.isConnected(), lastPush().values());
        }

        Long penalty = dampedPenalty(sessionAddress.getHost(), flapping.clientId());

        long stableGoneMillis = killStableProviderAndMeasure();

        int gonePushes = 0;
        int repeatedPushes = 0;
        Push previous = beforeFlapping;
        for (Push p : flapPeriod) {
            if (!p.contains(FLAPPING_VALUE)) {
                gonePushes++;
            }
            if (p.values().equals(previous.values())) {
                repeatedPushes++;
            }
            previous = p;
        }

        System.out.printf("resets=%d pushes=%d gone-pushes=%d repeated-pushes=%d flapping-client-damped=%s penalty=%s "
                        + "stable-kill-gone-ms=%d%n", resets, flapPeriod.size(), gonePushes, repeatedPushes,
                penalty != null, penalty != null ? penalty : "none", stableGoneMillis);
        boolean ok = verdict(gonePushes <= MAX_GONE_PUSHES, "gone pushes <= " + MAX_GONE_PUSHES);
        ok &= verdict(repeatedPushes <= MAX_REPEATED_PUSHES, "repeated pushes <= " + MAX_REPEATED_PUSHES);
        ok &= verdict(stableGoneMillis >= 0 && stableGoneMillis <= MAX_STABLE_GONE_MILLIS,
                "stable provider gone within " + MAX_STABLE_GONE_MILLIS + " ms");
        return ok ? 0 : 1;
    }

    private void record(SubscriptionData data) {
        List<String> sorted = new ArrayList<>(data.values());
        sorted.sort(null);
        pushes.add(new Push(List.copyOf(sorted), data.version(), System.nanoTime()));
    }

    private Push lastPush() {
        return pushes.isEmpty() ? new Push(List.of(), -1, 0) : pushes.get(pushes.size() - 1);
    }

    private boolean lastShowsBoth() {
        Push last = lastPush();
        return last.contains(FLAPPING_VALUE) && last.contains(STABLE_VALUE);
    }

    /** Every period: reset and refuse for down-millis, then let connections through. Returns the resets done. */
    private int runFaultSchedule(ResettingProxy proxy, int baseline) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long period = TimeUnit.MILLISECONDS.toNanos(resetEveryMillis);
        long nextProgress = start + TimeUnit.SECONDS.toNanos(10);
        int resets = 0;
        // Deadlines from the start, not sleeps one after another: no drift over a long run.
        for (long cycle = start; cycle < end; cycle += period) {
            proxy.resetAndRefuse();
            resets++;
            sleepUntil(cycle + TimeUnit.MILLISECONDS.toNanos(downMillis));
            proxy.accept();
            sleepUntil(Math.min(cycle + period, end));
            if (System.nanoTime() >= nextProgress) {
                System.out.printf("[%3d s] resets=%d pushes=%d%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                        resets, pushes.size() - baseline);
                nextProgress += TimeUnit.SECONDS.toNanos(10);
            }
        }
        return resets;
    }

    /**
     * The flapping client's penalty from the session's admin API, or null if it is not damped.
     * Asked by its id ({@code ?client=}): the listing shows client ids only to the admin.
     */
    private Long dampedPenalty(String host, String clientId) {
        URI uri = URI.create("http://" + HostAndPort.fromParts(host, adminPort) + "/api/v1/damped-clients?client="
                + clientId);
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                System.out.printf("GET %s: HTTP %d %s%n", uri, response.statusCode(), response.body());
                return null;
            }
            JsonNode c = new ObjectMapper().readTree(response.body());
            if (c.path("damped").asBoolean()) {
                return c.path("penalty").asLong();
            }
            System.out.printf("flapping client %s is not damped: %s%n", clientId, response.body());
            return null;
        } catch (IOException e) {
            System.out.printf("GET %s failed: %s%n", uri, e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * SIGKILLs the stable provider and returns the milliseconds until the subscriber received a
     * list without it, or -1 if none came within 10 s. Timed by the push's arrival, not by polling.
     */
    private long killStableProviderAndMeasure() throws InterruptedException {
        long killedAt = System.nanoTime();
        stableProvider.destroyForcibly();
        boolean gone = awaitTrue(Duration.ofSeconds(10), () -> !lastPush().contains(STABLE_VALUE));
        if (!gone) {
            return -1;
        }
        for (Push p : pushes) {
            if (p.atNanos() >= killedAt && !p.contains(STABLE_VALUE)) {
                return TimeUnit.NANOSECONDS.toMillis(p.atNanos() - killedAt);
            }
        }
        return -1;
    }

    /** This same jar as a separate JVM in stable-provider mode; returns once it published. */
    private Process startStableProvider() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FlapDemo.class.getName(), "--provide", STABLE_VALUE, "--session", session, "--data-id", dataId)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        stableProvider = child; // cleaned up even if it never gets ready
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = daemon("stable-provider-ready", () -> {
            try {
                String line;
                while ((line = out.readLine()) != null && !line.equals(READY)) {
                    System.out.println("stable provider: " + line);
                }
            } catch (IOException e) {
                // the child is gone: the wait below times out
            }
        });
        reader.join(TimeUnit.SECONDS.toMillis(30));
        if (reader.isAlive() || !child.isAlive()) {
            throw new IllegalStateException("the stable provider process did not get ready");
        }
        System.out.printf("stable provider process %d published %s%n", child.pid(), STABLE_VALUE);
        return child;
    }

    private static boolean verdict(boolean pass, String what) {
        System.out.println((pass ? "PASS " : "FAIL ") + what);
        return pass;
    }

    private static boolean awaitTrue(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Starts {@code body} on a daemon thread of its own; the {@link ResettingProxy} starts its threads here too. */
    static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Runs from the finally block and from the shutdown hook (Ctrl-C): whichever comes first. */
    private synchronized void cleanup() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        Process child = stableProvider;
        if (child != null) {
            child.destroyForcibly();
        }
        // Clients before the proxy: a client closing through a live proxy says goodbye to the session.
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + toClose.get(i) + ": " + e);
            }
        }
    }
}
