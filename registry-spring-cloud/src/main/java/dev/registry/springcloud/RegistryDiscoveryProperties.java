package dev.registry.springcloud;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code spring.cloud.registry.*}: where the registry is and how this application appears in
 * it. A service id maps to the DataInfoId (dataId = service id, group = {@link #getGroup()},
 * the default instance id).
 */
@ConfigurationProperties("spring.cloud.registry")
public class RegistryDiscoveryProperties {
    /** Whether the registry integration is on at all. */
    private boolean enabled = true;
    /** Session client addresses of the registry, host:port, comma separated (a load balancer's address works too). */
    private String servers = "127.0.0.1:9600";
    /** DataInfoId group the services of this Spring Cloud world live in. */
    private String group = "SPRING_CLOUD";
    /** Zone of this instance (published, and the LoadBalancer's zone preference can use it); default: none. */
    private String zone;
    /** Id of this instance; default: service-id:host:port. */
    private String instanceId;
    /** Host or IP this instance is reached at; default: the first non-loopback address. */
    private String host;
    /** Whether this instance serves HTTPS. */
    private boolean secure;
    /** Metadata published with this instance. */
    private Map<String, String> metadata = new LinkedHashMap<>();
    /** How long a call to the registry may take before it fails. */
    private Duration requestTimeout = Duration.ofSeconds(5);
    /** CA (PEM) to verify the sessions' certificates with: set, the client connects with TLS. */
    private Path tlsCa;
    /** Credentials file of this application (accessKey=, secretKey=), for a registry with authentication. */
    private Path credentialsFile;
    private final Discovery discovery = new Discovery();
    private final Registration registration = new Registration();

    /** {@code spring.cloud.registry.discovery.*}. */
    public static class Discovery {
        /** Whether DiscoveryClient, ReactiveDiscoveryClient and the LoadBalancer supplier come from the registry. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** {@code spring.cloud.registry.registration.*}. */
    public static class Registration {
        /** Whether this web application registers itself on start (and deregisters on shutdown). */
        private boolean enabled = true;
        /**
         * On shutdown: how long to keep serving after deregistering, so consumers switch before
         * the web server stops taking requests.
         */
        private Duration deregistrationDelay = Duration.ofMillis(300);
        /**
         * Whether the application fails to start when it cannot register (the registry is
         * unreachable); false: it starts, and registers once the registry answers (retried every 5 s).
         */
        private boolean failFast = true;

        public Duration getDeregistrationDelay() {
            return deregistrationDelay;
        }

        public void setDeregistrationDelay(Duration deregistrationDelay) {
            this.deregistrationDelay = deregistrationDelay;
        }

        public boolean isFailFast() {
            return failFast;
        }

        public void setFailFast(boolean failFast) {
            this.failFast = failFast;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getServers() {
        return servers;
    }

    public void setServers(String servers) {
        this.servers = servers;
    }

    public String getGroup() {
        return group;
    }

    public void setGroup(String group) {
        this.group = group;
    }

    public String getZone() {
        return zone;
    }

    public void setZone(String zone) {
        this.zone = zone;
    }

    public String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public boolean isSecure() {
        return secure;
    }

    public void setSecure(boolean secure) {
        this.secure = secure;
    }

    public Map<String, String> getMetadata() {
        return metadata;
    }

    public void setMetadata(Map<String, String> metadata) {
        this.metadata = metadata;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public Path getTlsCa() {
        return tlsCa;
    }

    public void setTlsCa(Path tlsCa) {
        this.tlsCa = tlsCa;
    }

    public Path getCredentialsFile() {
        return credentialsFile;
    }

    public void setCredentialsFile(Path credentialsFile) {
        this.credentialsFile = credentialsFile;
    }

    public Discovery getDiscovery() {
        return discovery;
    }

    public Registration getRegistration() {
        return registration;
    }
}
