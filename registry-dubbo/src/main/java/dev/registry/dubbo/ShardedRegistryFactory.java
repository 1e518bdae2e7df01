package dev.registry.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.support.AbstractRegistryFactory;

/**
 * {@code RegistryFactory} extension {@code sharded}: Dubbo caches the registry per address (and
 * destroys it with the application), each with its own registry client.
 */
public class ShardedRegistryFactory extends AbstractRegistryFactory {
    @Override
    protected Registry createRegistry(URL url) {
        dev.registry.client.RegistryClient client = ShardedClients.start(url);
        try {
            return new ShardedRegistry(url, client);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
