package dev.registry.springcloud;

import org.springframework.cloud.client.serviceregistry.AbstractAutoServiceRegistration;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Registers the web application once its server has a port (Spring Cloud's
 * {@code WebServerInitializedEvent}), and deregisters it as soon as the context starts closing
 * ({@code ContextClosedEvent}, before any lifecycle stops): the registry pushes the departure
 * while the web server still answers, and the close waits
 * {@code spring.cloud.registry.registration.deregistration-delay} for consumers to switch before
 * the server stops taking requests. (Spring Cloud's own deregistration comes only after the web
 * server stopped, so a consumer could still pick this instance and fail.)
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

    /** The context starts closing (a listener bean the auto-configuration wires calls this). */
    void onContextClosed(ContextClosedEvent closed) {
        if (closed.getApplicationContext() == getContext() && isRunning()) {
            stop(); // deregisters
            long delay = properties.getRegistration().getDeregistrationDelay().toMillis();
            if (delay > 0) {
                try {
                    Thread.sleep(delay); // consumers switch meanwhile; the web server still answers
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
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
