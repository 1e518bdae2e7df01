package dev.registry.springcloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.cloud.client.ServiceInstance;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One instance of a service as the registry holds it: the published value is a JSON object
 * {@code {"instanceId","serviceId","host","port","secure","zone","status","metadata":{...}}}.
 * Immutable.
 */
public final class RegistryServiceInstance implements ServiceInstance {
    /** The status of an instance that takes traffic; anything else is not discovered. */
    public static final String UP = "UP";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String instanceId;
    private final String serviceId;
    private final String host;
    private final int port;
    private final boolean secure;
    private final String zone;
    private final String status;
    private final Map<String, String> metadata;

    public RegistryServiceInstance(String instanceId, String serviceId, String host, int port, boolean secure,
                                   String zone, String status, Map<String, String> metadata) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.serviceId = Objects.requireNonNull(serviceId, "serviceId");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.secure = secure;
        this.zone = zone;
        this.status = status == null ? UP : status;
        Map<String, String> m = new LinkedHashMap<>(metadata == null ? Map.of() : metadata);
        if (zone != null) {
            m.putIfAbsent("zone", zone); // where Spring Cloud LoadBalancer's zone preference looks
        }
        this.metadata = Collections.unmodifiableMap(m);
    }

    /** The value published for this instance. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("instanceId", instanceId).put("serviceId", serviceId).put("host", host).put("port", port)
                .put("secure", secure).put("status", status);
        if (zone != null) {
            o.put("zone", zone);
        }
        ObjectNode m = o.putObject("metadata");
        metadata.forEach(m::put);
        return o.toString();
    }

    /** A published value, or IllegalArgumentException if it is not one of ours (another client's value). */
    public static RegistryServiceInstance fromJson(String value, String serviceId) {
        try {
            JsonNode o = JSON.readTree(value);
            if (o == null || !o.isObject() || !o.hasNonNull("host") || !o.hasNonNull("port")) {
                throw new IllegalArgumentException("not an instance: " + abbreviate(value));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            JsonNode m = o.get("metadata");
            if (m != null && m.isObject()) {
                m.properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
            }
            String host = o.get("host").asText();
            int port = o.get("port").asInt();
            return new RegistryServiceInstance(text(o, "instanceId", serviceId + ":" + host + ":" + port), serviceId,
                    host, port, o.path("secure").asBoolean(false), text(o, "zone", null), text(o, "status", UP), metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + abbreviate(value), e);
        }
    }

    private static String text(JsonNode o, String field, String otherwise) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? otherwise : n.asText();
    }

    private static String abbreviate(String value) {
        return value == null || value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }

    public RegistryServiceInstance withStatus(String newStatus) {
        return new RegistryServiceInstance(instanceId, serviceId, host, port, secure, zone, newStatus, metadata);
    }

    public RegistryServiceInstance withPort(int newPort) {
        return new RegistryServiceInstance(instanceId, serviceId, host, newPort, secure, zone, status, metadata);
    }

    @Override
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public String getServiceId() {
        return serviceId;
    }

    @Override
    public String getHost() {
        return host;
    }

    @Override
    public int getPort() {
        return port;
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public URI getUri() {
        return ServiceInstance.createUri(this);
    }

    @Override
    public Map<String, String> getMetadata() {
        return metadata;
    }

    public String getZone() {
        return zone;
    }

    public String getStatus() {
        return status;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistryServiceInstance r && port == r.port && secure == r.secure
                && instanceId.equals(r.instanceId) && serviceId.equals(r.serviceId) && host.equals(r.host)
                && Objects.equals(zone, r.zone) && status.equals(r.status) && metadata.equals(r.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(instanceId, serviceId, host, port);
    }

    @Override
    public String toString() {
        return instanceId + "(" + host + ":" + port + (UP.equals(status) ? "" : ", " + status) + ")";
    }
}
