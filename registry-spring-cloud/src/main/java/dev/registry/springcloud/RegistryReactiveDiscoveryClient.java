package dev.registry.springcloud;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** The reactive face of {@link RegistryDiscoveryClient}: the same push-fed lists, off the caller's thread when it must wait. */
public final class RegistryReactiveDiscoveryClient implements ReactiveDiscoveryClient {
    private final RegistryDiscoveryClient blocking;
    private final RegistryInstances instances;

    public RegistryReactiveDiscoveryClient(RegistryDiscoveryClient blocking, RegistryInstances instances) {
        this.blocking = blocking;
        this.instances = instances;
    }

    @Override
    public String description() {
        return "Sharded registry reactive discovery client (push-fed)";
    }

    @Override
    public Flux<ServiceInstance> getInstances(String serviceId) {
        return instances.stream(serviceId).next().flatMapMany(Flux::fromIterable)
                .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Flux<String> getServices() {
        return Flux.defer(() -> Flux.fromIterable(blocking.getServices())).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public void probe() {
        blocking.probe();
    }
}
