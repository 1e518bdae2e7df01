package dev.registry.examples.dubbo;

import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.registry.client.migration.MigrationInvoker;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.cluster.ClusterInvoker;
import org.apache.dubbo.rpc.cluster.Directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Dubbo consumer: {@code DemoConsumer REGISTRY_ADDRESS DURATION_SECONDS [DISTINCT_PROVIDERS]}
 * refers {@link GreetingService} through the registry at REGISTRY_ADDRESS ({@code sharded://host:port},
 * or just {@code host:port}) with no {@code provided-by}: Dubbo finds the provider application
 * through the interface-to-application mapping the providers published. No retries (a call sent to
 * a dead provider fails, it is not hidden by a retry on another one), 1000 ms timeout.
 *
 * <p>Until DISTINCT_PROVIDERS (default 1) providers have answered (at most 30 s), it calls every
 * 20 ms and prints {@code WARMUP ...} lines; then it calls every 20 ms for DURATION_SECONDS (0: until
 * stopped) and prints one line per call:
 * <pre>
 * CALL &lt;startEpochMs&gt; OK &lt;providerName&gt; took=&lt;ms&gt;
 * CALL &lt;startEpochMs&gt; FAIL &lt;ExceptionSimpleName&gt; took=&lt;ms&gt;
 * </pre>
 * and {@code DONE <epochMs> calls=N failed=F} at the end, or when the process is stopped (Ctrl-C,
 * SIGTERM: the call in flight ends first, then Dubbo stops; no call runs into a stopping Dubbo).
 * Whenever the providers in the consumer's
 * directory (what the registry last notified) change, it prints
 * {@code PROVIDERS <epochMs> <n> <host:port,...|-> via=<application|interface>} (via: the level
 * of discovery Dubbo's migration invoker uses).
 */
public final class DemoConsumer {
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final String PREFIX = "hello consumer from ";
    private static volatile boolean running = true;
    private static final CountDownLatch loopEnded = new CountDownLatch(1);

    private DemoConsumer() {
    }

    public static void main(String[] args) {
        Demo.defaults();
        if (args.length < 2) {
            System.err.println("usage: DemoConsumer REGISTRY_ADDRESS DURATION_SECONDS [DISTINCT_PROVIDERS]");
            System.exit(2);
        }
        long seconds = Long.parseLong(args[1]);
        int distinct = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        // Dubbo's own shutdown hook would destroy the reference while a call runs: this one ends the
        // calls first, then stops Dubbo.
        System.setProperty("dubbo.shutdownHook.listenIgnore", "true");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running = false;
            try {
                loopEnded.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            DubboBootstrap.getInstance().stop();
        }, "demo-shutdown"));

        ReferenceConfig<GreetingService> reference = new ReferenceConfig<>();
        reference.setInterface(GreetingService.class);
        reference.setCheck(false);  // start even before a provider is known
        reference.setRetries(0);
        reference.setTimeout(1000);
        DubboBootstrap.getInstance()
                .application(Demo.application("dubbo-demo-consumer"))
                .registry(Demo.registry(args[0]))
                .reference(reference)
                .start();
        GreetingService greeting = reference.get();
        System.out.println("REFERRED " + System.currentTimeMillis());

        Thread watcher = new Thread(() -> watch(reference), "demo-providers");
        watcher.setDaemon(true);
        watcher.start();

        // Warm-up: until DISTINCT_PROVIDERS providers answered (Dubbo's default load balancing is random).
        Set<String> reached = new TreeSet<>();
        long warmUntil = System.currentTimeMillis() + 30_000;
        long next = System.nanoTime();
        while (running && reached.size() < distinct && System.currentTimeMillis() < warmUntil) {
            String who = call(greeting, "WARMUP");
            if (who != null) {
                reached.add(who);
            }
            next = pace(next);
        }
        System.out.println("REACHED " + System.currentTimeMillis() + " " + reached.size() + " "
                + (reached.isEmpty() ? "-" : String.join(",", reached)));

        long end = seconds == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(seconds);
        long calls = 0;
        long failed = 0;
        next = System.nanoTime();
        while (running && System.currentTimeMillis() < end) {
            calls++;
            if (call(greeting, "CALL") == null) {
                failed++;
            }
            next = pace(next);
        }
        System.out.println("DONE " + System.currentTimeMillis() + " calls=" + calls + " failed=" + failed);
        System.out.flush();
        loopEnded.countDown();
        if (running) {
            System.exit(0); // DURATION_SECONDS over: the shutdown hook stops Dubbo
        }
    }

    /** One call, one line; the answering provider's name, null when the call failed. */
    private static String call(GreetingService greeting, String tag) {
        long started = System.currentTimeMillis();
        try {
            String answer = greeting.greet("consumer");
            String provider = answer != null && answer.startsWith(PREFIX) ? answer.substring(PREFIX.length()) : "-";
            System.out.println(tag + " " + started + " OK " + provider + " took=" + (System.currentTimeMillis() - started));
            return provider;
        } catch (RuntimeException e) {
            System.out.println(tag + " " + started + " FAIL " + e.getClass().getSimpleName()
                    + " took=" + (System.currentTimeMillis() - started));
            return null;
        }
    }

    /** Sleeps until 20 ms after the previous slot; behind (a slow call): the next slot is now, no burst. */
    private static long pace(long previous) {
        long next = previous + INTERVAL_NANOS;
        long delay = next - System.nanoTime();
        if (delay <= 0) {
            return System.nanoTime();
        }
        try {
            TimeUnit.NANOSECONDS.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return next;
    }

    /** Every 10 ms: the directory's providers, printed when they change. */
    private static void watch(ReferenceConfig<GreetingService> reference) {
        String seen = null;
        while (true) {
            String now;
            try {
                now = providers(reference.getInvoker());
            } catch (RuntimeException e) {
                now = "? " + e;
            }
            if (!now.equals(seen)) {
                seen = now;
                System.out.println("PROVIDERS " + System.currentTimeMillis() + " " + now);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String providers(Invoker<?> invoker) {
        List<String> addresses = new ArrayList<>();
        String via = "-";
        if (invoker instanceof MigrationInvoker<?> migration) {
            ClusterInvoker<?> current = migration.getCurrentAvailableInvoker();
            via = current == null ? "-" : current == migration.getServiceDiscoveryInvoker() ? "application" : "interface";
        }
        if (invoker instanceof ClusterInvoker<?> cluster) {
            Directory<?> directory = cluster.getDirectory();
            if (directory != null) {
                for (Invoker<?> i : directory.getAllInvokers()) {
                    addresses.add(i.getUrl().getAddress());
                }
            }
        }
        addresses.sort(null);
        return addresses.size() + " " + (addresses.isEmpty() ? "-" : String.join(",", addresses)) + " via=" + via;
    }
}
