package dev.registry.springcloud;

import dev.registry.client.RegistryClient;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

import java.util.List;

/** Spring Cloud's blocking discovery over the registry: push-fed instance lists, a watched catalog. */
public final class RegistryDiscoveryClient implements DiscoveryClient {
    private final RegistryClient client;
    private final RegistryInstances instances;
    private final RegistryCatalog catalog;

    public RegistryDiscoveryClient(RegistryClient client, RegistryInstances instances, RegistryCatalog catalog) {
        this.client = client;
        this.instances = instances;
        this.catalog = catalog;
    }

    @Override
    public String description() {
        return "Sharded registry discovery client (push-fed)";
    }

    @Override
    public List<ServiceInstance> getInstances(String serviceId) {
        return instances.instances(serviceId);
    }

    @Override
    public List<String> getServices() {
        return catalog.services();
    }

    /** Fails when no session of the registry is connected. */
    @Override
    public void probe() {
        if (!client.isConnected()) {
            throw new IllegalStateException("no registry session connected (" + client.knownSessions() + ")");
        }
    }
}
