import com.alipay.sofa.registry.client.api.Publisher;
import com.alipay.sofa.registry.client.api.registration.PublisherRegistration;
import com.alipay.sofa.registry.client.api.registration.SubscriberRegistration;
import com.alipay.sofa.registry.client.provider.DefaultRegistryClient;
import com.alipay.sofa.registry.client.provider.DefaultRegistryClientConfigBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * An application using SOFARegistry's own Java client, unchanged, as scripts/sofa-smoke.sh runs it:
 *   java -cp 'lib/*' SofaSmoke.java subscribe HOST HTTP_PORT DATA_ID    prints one line per callback
 *   java -cp 'lib/*' SofaSmoke.java publish   HOST HTTP_PORT DATA_ID VALUE   prints "registered", then waits
 *   java -cp 'lib/*' SofaSmoke.java sequence  HOST HTTP_PORT DATA_ID ROUNDS  subscribe, then ROUNDS times publish and
 *       unregister in sequence as a new user would; prints publish -> push and unregister -> empty (p50 / max ms)
 * HTTP_PORT is the registry's discovery port (the session admin port, 9603 by default).
 */
public class SofaSmoke {
    public static void main(String[] args) throws Exception {
        DefaultRegistryClient client = new DefaultRegistryClient(DefaultRegistryClientConfigBuilder.start()
                .setRegistryEndpoint(args[1]).setRegistryEndpointPort(Integer.parseInt(args[2]))
                .setAppName("sofa-smoke").build());
        client.init();
        if (args[0].equals("sequence")) {
            sequence(client, args[3], Integer.parseInt(args[4]));
            System.exit(0);
        }
        if (args[0].equals("subscribe")) {
            client.register(new SubscriberRegistration(args[3], (dataId, data) -> {
                List<String> values = new ArrayList<>();
                new TreeMap<>(data.getZoneData()).values().forEach(values::addAll);
                System.out.println("callback " + data.getZoneData() + " values=" + values);
                System.out.flush();
            }));
        } else {
            Publisher p = client.register(new PublisherRegistration(args[3]), args[4]);
            while (!p.isRegistered()) {
                Thread.sleep(20);
            }
            System.out.println("registered");
            System.out.flush();
        }
        new CountDownLatch(1).await(); // until killed, like an application
    }

    /** Each round: publish, wait for the push with it; unregister, wait for the empty push. */
    private static void sequence(DefaultRegistryClient client, String dataId, int rounds) throws Exception {
        java.util.concurrent.BlockingQueue<List<String>> pushes = new java.util.concurrent.LinkedBlockingQueue<>();
        client.register(new SubscriberRegistration(dataId, (id, data) -> {
            List<String> values = new ArrayList<>();
            new TreeMap<>(data.getZoneData()).values().forEach(values::addAll);
            pushes.add(values);
        }));
        awaitPush(pushes, List::isEmpty, "the first (empty) push");
        long[] publish = new long[rounds];
        long[] unregister = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            String value = "10.0.0.1:" + (20000 + i);
            long start = System.nanoTime();
            Publisher p = client.register(new PublisherRegistration(dataId), value);
            awaitPush(pushes, v -> v.contains(value), "the push of " + value);
            publish[i] = (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            p.unregister();
            awaitPush(pushes, List::isEmpty, "the empty push after unregistering " + value);
            unregister[i] = (System.nanoTime() - start) / 1_000_000;
        }
        java.util.Arrays.sort(publish);
        java.util.Arrays.sort(unregister);
        System.out.printf("sequence of %d rounds: publish -> push p50 %d ms max %d ms; unregister -> empty p50 %d ms max %d ms%n",
                rounds, publish[rounds / 2], publish[rounds - 1], unregister[rounds / 2], unregister[rounds - 1]);
    }

    private static void awaitPush(java.util.concurrent.BlockingQueue<List<String>> pushes,
                                  java.util.function.Predicate<List<String>> wanted, String what) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> v = pushes.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (v != null && wanted.test(v)) {
                return;
            }
        }
        throw new IllegalStateException("no " + what + " within 10 s");
    }
}
