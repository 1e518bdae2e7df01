package dev.registry.springcloud;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryException;
import dev.registry.common.model.DataInfoId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes registrations: one publisher per registration, of the DataInfoId (service id,
 * group), whose value is the instance's JSON. {@code setStatus} republishes with the new status
 * ({@code OUT_OF_SERVICE} takes the instance out of every consumer's list at once, {@code UP}
 * brings it back), as the actuator {@code serviceregistry} endpoint does.
 */
public final class RegistryServiceRegistry implements ServiceRegistry<RegistryRegistration> {
    private static final Logger log = LoggerFactory.getLogger(RegistryServiceRegistry.class);

    private static final long RETRY_SECONDS = 5;

    private final RegistryClient client;
    private final String group;
    private final boolean failFast;
    private final Map<String, Publication> published = new ConcurrentHashMap<>();
    /** Registrations waiting for the registry (fail-fast off), by instance id. */
    private final Map<String, RegistryRegistration> pending = new ConcurrentHashMap<>();
    private volatile java.util.concurrent.ScheduledExecutorService retry;

    public RegistryServiceRegistry(RegistryClient client, String group) {
        this(client, group, true);
    }

    /** @param failFast false: a registration the registry does not take now is retried every 5 s instead of failing */
    public RegistryServiceRegistry(RegistryClient client, String group, boolean failFast) {
        this.client = client;
        this.group = group;
        this.failFast = failFast;
    }

    static DataInfoId idOf(String serviceId, String group) {
        return DataInfoId.of(serviceId, group, null);
    }

    @Override
    public void register(RegistryRegistration registration) {
        try {
            publish(registration);
        } catch (RegistryException e) {
            if (failFast) {
                throw e;
            }
            log.warn("cannot register {} yet ({}); retrying every {} s", registration.getServiceId(), e.getMessage(),
                    RETRY_SECONDS);
            pending.put(registration.getInstanceId(), registration);
            retryLater();
        }
    }

    private void publish(RegistryRegistration registration) {
        RegistryServiceInstance instance = registration.instance();
        Publication previous = published.get(instance.getInstanceId());
        if (previous != null) {
            previous.update(List.of(instance.toJson()));
        } else {
            published.put(instance.getInstanceId(),
                    client.publish(idOf(instance.getServiceId(), group), List.of(instance.toJson())));
        }
        log.info("registered {} as {} in group {}", instance.getServiceId(), instance, group);
    }

    private synchronized void retryLater() {
        if (retry == null) {
            retry = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "registry-registration-retry");
                t.setDaemon(true);
                return t;
            });
        }
        retry.schedule(() -> {
            for (RegistryRegistration r : pending.values()) {
                try {
                    publish(r);
                    pending.remove(r.getInstanceId(), r);
                } catch (RegistryException e) {
                    log.debug("registration of {} still not taken: {}", r.getServiceId(), e.getMessage());
                }
            }
            if (!pending.isEmpty()) {
                retryLater();
            }
        }, RETRY_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public void deregister(RegistryRegistration registration) {
        pending.remove(registration.getInstanceId());
        Publication p = published.remove(registration.getInstanceId());
        if (p != null) {
            p.unregister();
            log.info("deregistered {} ({})", registration.getServiceId(), registration.getInstanceId());
        }
    }

    @Override
    public synchronized void close() {
        // The client bean is closed by the context; its publishers leave with its connection.
        pending.clear();
        if (retry != null) {
            retry.shutdownNow();
            retry = null;
        }
    }

    @Override
    public void setStatus(RegistryRegistration registration, String status) {
        if (status == null || status.isBlank()) {
            throw new IllegalArgumentException("status must not be empty (UP, OUT_OF_SERVICE, ...)");
        }
        registration.setStatus(status.trim().toUpperCase(java.util.Locale.ROOT));
        Publication p = published.get(registration.getInstanceId());
        if (p != null) {
            p.update(List.of(registration.instance().toJson()));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getStatus(RegistryRegistration registration) {
        return (T) registration.instance().getStatus();
    }
}
