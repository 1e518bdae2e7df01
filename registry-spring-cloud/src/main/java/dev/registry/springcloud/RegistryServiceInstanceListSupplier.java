package dev.registry.springcloud;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import reactor.core.publisher.Flux;

import java.util.List;

/**
 * Spring Cloud LoadBalancer's instance list for one service, fed by the registry's pushes: a
 * provider that leaves is out of the next request's choice as soon as the registry pushes (tens
 * of milliseconds), where the default DiscoveryClient supplier caches lists for 35 s.
 */
public final class RegistryServiceInstanceListSupplier implements ServiceInstanceListSupplier {
    private final String serviceId;
    private final RegistryInstances instances;

    public RegistryServiceInstanceListSupplier(String serviceId, RegistryInstances instances) {
        this.serviceId = serviceId;
        this.instances = instances;
    }

    @Override
    public String getServiceId() {
        return serviceId;
    }

    @Override
    public Flux<List<ServiceInstance>> get() {
        return instances.stream(serviceId);
    }
}
