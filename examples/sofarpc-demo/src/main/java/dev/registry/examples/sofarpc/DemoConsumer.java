package dev.registry.examples.sofarpc;

import com.alipay.sofa.rpc.config.ConsumerConfig;
import com.alipay.sofa.rpc.config.RegistryConfig;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A SOFARPC consumer: {@code DemoConsumer REGISTRY_ADMIN_PORT DURATION_SECONDS [REGISTRY_HOST]} refers
 * {@link HelloService} (version 1.0) through SOFARPC's {@code sofa} registry module pointed at a
 * session's admin HTTP port, then calls it every 20 ms for DURATION_SECONDS (0: until stopped) and
 * prints one line per call:
 * <pre>
 * CALL &lt;startEpochMs&gt; OK &lt;providerName&gt; took=&lt;ms&gt;
 * CALL &lt;startEpochMs&gt; FAIL &lt;ExceptionSimpleName&gt; took=&lt;ms&gt;
 * </pre>
 * and {@code DONE <epochMs> calls=N failed=F} at the end. The first call waits until the registry
 * pushed at least one provider (up to 30 s). Stopped with a signal (SIGTERM, Ctrl-C), it makes no new
 * call; the call in flight may fail as SOFARPC's own shutdown hook closes its connections.
 */
public final class DemoConsumer {
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static volatile boolean running = true;

    private DemoConsumer() {
    }

    public static void main(String[] args) {
        Logging.quiet();
        if (args.length < 2) {
            System.err.println("usage: DemoConsumer REGISTRY_ADMIN_PORT DURATION_SECONDS [REGISTRY_HOST]");
            System.exit(2);
        }
        long seconds = Long.parseLong(args[1]);
        String registryHost = args.length > 2 ? args[2] : "127.0.0.1";
        RegistryConfig registry = new RegistryConfig().setProtocol("sofa").setAddress(registryHost + ":" + args[0]);
        ConsumerConfig<HelloService> config = new ConsumerConfig<HelloService>()
                .setInterfaceId(HelloService.class.getName()).setVersion("1.0").setRegistry(registry)
                .setTimeout(3000).setConnectTimeout(1000)
                // refer() waits for the registry's first push of providers, up to this long
                .setAddressWait(30_000);
        HelloService hello = config.refer();
        System.out.println("REFERRED " + System.currentTimeMillis());
        CountDownLatch loopDone = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running = false;
            System.out.println("STOPPING " + System.currentTimeMillis());
            try {
                loopDone.await(2, TimeUnit.SECONDS); // the call in flight, then DONE
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-stop"));

        long end = seconds == 0 ? Long.MAX_VALUE : System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(seconds);
        long calls = 0;
        long failed = 0;
        long next = System.nanoTime();
        while (running && System.currentTimeMillis() < end) {
            calls++;
            if (!call(hello)) {
                failed++;
            }
            next += INTERVAL_NANOS;
            long delay = next - System.nanoTime();
            if (delay > 0) {
                sleepNanos(delay);
            } else {
                next = System.nanoTime(); // behind (a slow call): no burst to catch up
            }
        }
        System.out.println("DONE " + System.currentTimeMillis() + " calls=" + calls + " failed=" + failed);
        System.out.flush();
        loopDone.countDown();
        if (running) { // DURATION_SECONDS over
            config.unRefer();
            System.exit(0);
        }
    }

    private static boolean call(HelloService hello) {
        long started = System.currentTimeMillis();
        try {
            String answer = hello.hello("consumer");
            String provider = answer == null ? "-" : answer.substring(answer.lastIndexOf(' ') + 1);
            System.out.println("CALL " + started + " OK " + provider + " took=" + (System.currentTimeMillis() - started));
            return true;
        } catch (RuntimeException e) {
            System.out.println("CALL " + started + " FAIL " + e.getClass().getSimpleName()
                    + " took=" + (System.currentTimeMillis() - started));
            return false;
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
