package dev.registry.dubbo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.dubbo.registry.client.DefaultServiceInstance;
import org.apache.dubbo.registry.client.ServiceInstance;
import org.apache.dubbo.rpc.model.ApplicationModel;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The value an application instance publishes: a small JSON object
 * {@code {"name":..,"host":..,"port":..,"enabled":..,"healthy":..,"metadata":{..}}}. The metadata
 * is Dubbo's instance metadata as is: it carries the metadata revision
 * ({@code dubbo.metadata.revision}), the protocol endpoints ({@code dubbo.endpoints}) and the
 * metadata service's URL parameters, which is all a consumer needs to find the services of the
 * instance. JSON rather than a URL so the value stays readable in the registry's admin views and
 * so values of other clients fail to parse instead of being misread.
 */
final class InstanceCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InstanceCodec() {
    }

    static String toJson(ServiceInstance instance) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", instance.getServiceName());
        o.put("host", instance.getHost());
        o.put("port", instance.getPort());
        o.put("enabled", instance.isEnabled());
        o.put("healthy", instance.isHealthy());
        ObjectNode metadata = o.putObject("metadata");
        instance.getMetadata().forEach(metadata::put);
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException if the value is no instance of this codec */
    static ServiceInstance fromJson(String value, ApplicationModel model) {
        JsonNode o;
        try {
            o = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject() || !o.path("name").isTextual() || !o.path("host").isTextual()
                || !o.path("port").canConvertToInt()) {
            throw new IllegalArgumentException("not a Dubbo instance");
        }
        DefaultServiceInstance i = new DefaultServiceInstance(o.get("name").asText(), o.get("host").asText(),
                o.get("port").asInt(), model);
        i.setEnabled(o.path("enabled").asBoolean(true));
        i.setHealthy(o.path("healthy").asBoolean(true));
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.path("metadata").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            metadata.put(e.getKey(), e.getValue().asText());
        }
        i.setMetadata(metadata);
        return i;
    }
}
