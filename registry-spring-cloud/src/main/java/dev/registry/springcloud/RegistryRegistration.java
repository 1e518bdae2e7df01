package dev.registry.springcloud;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;

import java.net.URI;
import java.util.Map;

/**
 * This application as a registration. The port is known only once the web server started
 * ({@link RegistryAutoServiceRegistration} sets it); until then it is the configured one.
 * Thread-safe.
 */
public final class RegistryRegistration implements Registration {
    private volatile RegistryServiceInstance instance;
    private final boolean explicitInstanceId;

    public RegistryRegistration(RegistryServiceInstance instance, boolean explicitInstanceId) {
        this.instance = instance;
        this.explicitInstanceId = explicitInstanceId;
    }

    /** What is published for this registration now. */
    public RegistryServiceInstance instance() {
        return instance;
    }

    /** The web server's port, once known; a derived instance id follows it. */
    public void setPort(int port) {
        RegistryServiceInstance i = instance.withPort(port);
        if (!explicitInstanceId) {
            i = new RegistryServiceInstance(i.getServiceId() + ":" + i.getHost() + ":" + port, i.getServiceId(),
                    i.getHost(), port, i.isSecure(), i.getZone(), i.getStatus(), i.getMetadata());
        }
        instance = i;
    }

    void setStatus(String status) {
        instance = instance.withStatus(status);
    }

    @Override
    public String getInstanceId() {
        return instance.getInstanceId();
    }

    @Override
    public String getServiceId() {
        return instance.getServiceId();
    }

    @Override
    public String getHost() {
        return instance.getHost();
    }

    @Override
    public int getPort() {
        return instance.getPort();
    }

    @Override
    public boolean isSecure() {
        return instance.isSecure();
    }

    @Override
    public URI getUri() {
        return ServiceInstance.createUri(this);
    }

    @Override
    public Map<String, String> getMetadata() {
        return instance.getMetadata();
    }

    @Override
    public String toString() {
        return "RegistryRegistration[" + instance + "]";
    }
}
