package dev.registry.springcloud;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
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

    private final RegistryClient client;
    private final String group;
    private final Map<String, Publication> published = new ConcurrentHashMap<>();

    public RegistryServiceRegistry(RegistryClient client, String group) {
        this.client = client;
        this.group = group;
    }

    static DataInfoId idOf(String serviceId, String group) {
        return DataInfoId.of(serviceId, group, null);
    }

    @Override
    public void register(RegistryRegistration registration) {
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

    @Override
    public void deregister(RegistryRegistration registration) {
        Publication p = published.remove(registration.getInstanceId());
        if (p != null) {
            p.unregister();
            log.info("deregistered {} ({})", registration.getServiceId(), registration.getInstanceId());
        }
    }

    @Override
    public void close() {
        // The client bean is closed by the context; its publishers leave with its connection.
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
