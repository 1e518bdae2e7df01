package dev.registry.springcloud;

import dev.registry.client.RegistryClient;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** UP while a registry session is connected (its address in the details), DOWN otherwise. */
public final class RegistryHealthIndicator extends AbstractHealthIndicator {
    private final RegistryClient client;
    private final RegistryInstances instances;

    public RegistryHealthIndicator(RegistryClient client, RegistryInstances instances) {
        super("registry health check failed");
        this.client = client;
        this.instances = instances;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (client.isConnected()) {
            builder.up().withDetail("session", client.sessionAddress()
                    .map(a -> a.getHostString() + ":" + a.getPort()).orElse("?"));
        } else {
            builder.down().withDetail("error", "no registry session connected").withDetail("sessions",
                    client.knownSessions().toString());
        }
        builder.withDetail("services", instances.watchedServices());
    }
}
