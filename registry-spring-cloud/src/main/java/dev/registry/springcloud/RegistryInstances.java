package dev.registry.springcloud;

import dev.registry.client.RegistryClient;
import dev.registry.client.Subscription;
import dev.registry.client.SubscriptionData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.ServiceInstance;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The instances of every service this application asked for, kept current by the registry's
 * pushes: the first ask of a service subscribes to it, and from then on its list changes when
 * the registry pushes, never after a cache's time-to-live. Instances whose status is not UP and
 * values that are not instances (another kind of client's) are left out. Thread-safe.
 */
public final class RegistryInstances implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistryInstances.class);

    private final RegistryClient client;
    private final String group;
    private final Duration firstListWait;
    private final Map<String, Watched> services = new ConcurrentHashMap<>();

    private final class Watched {
        final String serviceId;
        final Sinks.Many<List<ServiceInstance>> sink = Sinks.many().replay().latest();
        final CountDownLatch first = new CountDownLatch(1);
        volatile List<ServiceInstance> instances = List.of();
        volatile Subscription subscription;

        Watched(String serviceId) {
            this.serviceId = serviceId;
        }

        synchronized void onUpdate(SubscriptionData data) {
            List<ServiceInstance> list = new ArrayList<>();
            for (String value : data.values()) {
                try {
                    RegistryServiceInstance i = RegistryServiceInstance.fromJson(value, serviceId);
                    if (RegistryServiceInstance.UP.equals(i.getStatus())) {
                        list.add(i);
                    }
                } catch (IllegalArgumentException e) {
                    log.debug("service {}: skipped a value that is no instance: {}", serviceId, e.getMessage());
                }
            }
            list.sort(Comparator.comparing(ServiceInstance::getInstanceId));
            List<ServiceInstance> now = List.copyOf(list);
            boolean changed = !now.equals(instances) || first.getCount() > 0;
            instances = now;
            first.countDown();
            if (changed) {
                log.debug("service {}: {} instances (registry version {})", serviceId, now.size(), data.version());
                sink.tryEmitNext(now);
            }
        }
    }

    public RegistryInstances(RegistryClient client, String group, Duration firstListWait) {
        this.client = client;
        this.group = group;
        this.firstListWait = firstListWait;
    }

    /** The service's instances now (the first call subscribes and waits for the registry's first list). */
    public List<ServiceInstance> instances(String serviceId) {
        Watched w = watch(serviceId);
        try {
            if (!w.first.await(firstListWait.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("service {}: no list from the registry within {} ms", serviceId, firstListWait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return w.instances;
    }

    /**
     * The service's instances now and after every change. The first ask of a service subscribes
     * on a blocking-friendly thread (it waits for the registry's answer), never on the caller's,
     * which may be an event loop.
     */
    public Flux<List<ServiceInstance>> stream(String serviceId) {
        Watched known = services.get(serviceId);
        if (known != null) {
            return known.sink.asFlux();
        }
        return Mono.fromCallable(() -> watch(serviceId)).subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(w -> w.sink.asFlux());
    }

    private Watched watch(String serviceId) {
        Watched existing = services.get(serviceId);
        if (existing != null) {
            return existing;
        }
        Watched fresh = new Watched(serviceId);
        Watched raced = services.putIfAbsent(serviceId, fresh);
        if (raced != null) {
            return raced;
        }
        try {
            fresh.subscription = client.subscribe(RegistryServiceRegistry.idOf(serviceId, group), fresh::onUpdate);
        } catch (RuntimeException e) {
            services.remove(serviceId, fresh); // the next ask tries again
            throw e;
        }
        return fresh;
    }

    /** The services subscribed to so far. */
    public List<String> watchedServices() {
        return List.copyOf(services.keySet());
    }

    @Override
    public void close() {
        for (Watched w : services.values()) {
            w.sink.tryEmitComplete();
        }
        services.clear();
    }
}
