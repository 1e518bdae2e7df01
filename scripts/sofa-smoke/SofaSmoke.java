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
 * HTTP_PORT is the registry's discovery port (the session admin port, 9603 by default).
 */
public class SofaSmoke {
    public static void main(String[] args) throws Exception {
        DefaultRegistryClient client = new DefaultRegistryClient(DefaultRegistryClientConfigBuilder.start()
                .setRegistryEndpoint(args[1]).setRegistryEndpointPort(Integer.parseInt(args[2]))
                .setAppName("sofa-smoke").build());
        client.init();
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
}
