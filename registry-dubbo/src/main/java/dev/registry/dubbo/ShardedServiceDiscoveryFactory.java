package dev.registry.dubbo;

import dev.registry.client.RegistryClient;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.client.AbstractServiceDiscoveryFactory;
import org.apache.dubbo.registry.client.ServiceDiscovery;

/** {@code ServiceDiscoveryFactory} extension {@code sharded}: one discovery (and client) per registry address. */
public class ShardedServiceDiscoveryFactory extends AbstractServiceDiscoveryFactory {
    @Override
    protected ServiceDiscovery createDiscovery(URL registryUrl) {
        RegistryClient client = ShardedClients.start(registryUrl);
        try {
            return new ShardedServiceDiscovery(applicationModel, registryUrl, client);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
