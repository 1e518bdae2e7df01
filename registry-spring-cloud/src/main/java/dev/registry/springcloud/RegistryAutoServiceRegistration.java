package dev.registry.springcloud;

import org.springframework.cloud.client.serviceregistry.AbstractAutoServiceRegistration;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.context.ApplicationContext;

/**
 * Registers the web application once its server has a port (Spring Cloud's
 * {@code WebServerInitializedEvent}), and deregisters it when the context closes, before the
 * server stops taking requests.
 */
public final class RegistryAutoServiceRegistration extends AbstractAutoServiceRegistration<RegistryRegistration> {
    private final RegistryRegistration registration;
    private final RegistryDiscoveryProperties properties;

    public RegistryAutoServiceRegistration(ApplicationContext context, RegistryServiceRegistry registry,
                                           AutoServiceRegistrationProperties autoProperties,
                                           RegistryRegistration registration, RegistryDiscoveryProperties properties) {
        super(context, registry, autoProperties);
        this.registration = registration;
        this.properties = properties;
    }

    @Override
    protected void register() {
        int port = getPort().get();
        if (port > 0 && registration.getPort() != port) {
            registration.setPort(port);
        }
        super.register();
    }

    @Override
    protected Object getConfiguration() {
        return properties;
    }

    @Override
    protected boolean isEnabled() {
        return properties.isEnabled() && properties.getRegistration().isEnabled();
    }

    @Override
    protected RegistryRegistration getRegistration() {
        return registration;
    }

    @Override
    protected RegistryRegistration getManagementRegistration() {
        return null; // the management port, if separate, is not registered
    }
}
