package dev.registry.bench.agent;

import com.alipay.sofa.registry.client.api.Publisher;
import com.alipay.sofa.registry.client.api.model.UserData;
import com.alipay.sofa.registry.client.api.registration.PublisherRegistration;
import com.alipay.sofa.registry.client.api.registration.SubscriberRegistration;
import com.alipay.sofa.registry.client.provider.DefaultRegistryClient;
import com.alipay.sofa.registry.client.provider.DefaultRegistryClientConfigBuilder;
import com.alipay.sofa.registry.core.model.ScopeEnum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Drives SOFARegistry 6.x through its official client ({@code registry-client-all}), with the
 * server's defaults. Its {@code register} is asynchronous: a publisher counts as acknowledged
 * when the client reports it registered. Runs in the SOFARegistry network namespace with the
 * client's own jars first on the classpath.
 */
public final class SofaDriver implements Driver {
    private final List<DefaultRegistryClient> clients = new ArrayList<>();

    @Override
    public void connect(String address, int count, Map<String, String> options) {
        String host = address.contains(":") ? address.substring(0, address.indexOf(':')) : address;
        int port = address.contains(":") ? Integer.parseInt(address.substring(address.indexOf(':') + 1)) : 9603;
        for (int i = 0; i < count; i++) {
            DefaultRegistryClient c = new DefaultRegistryClient(DefaultRegistryClientConfigBuilder.start()
                    .setRegistryEndpoint(host).setRegistryEndpointPort(port).setAppName("bench")
                    .setDataCenter("DefaultDataCenter").setZone("DEFAULT_ZONE").build());
            c.init();
            clients.add(c);
        }
    }

    @Override
    public Object publish(int client, String dataId, String value) {
        return clients.get(client).register(new PublisherRegistration(dataId), value);
    }

    @Override
    public boolean isAcknowledged(Object handle) {
        return ((com.alipay.sofa.registry.client.api.Register) handle).isRegistered();
    }

    @Override
    public void update(Object handle, String value) {
        ((Publisher) handle).republish(value);
    }

    @Override
    public void subscribe(int client, String dataId, Consumer<List<String>> onList) {
        SubscriberRegistration reg = new SubscriberRegistration(dataId, (id, data) -> onList.accept(values(data)));
        reg.setScopeEnum(ScopeEnum.global);
        clients.get(client).register(reg);
    }

    private static List<String> values(UserData data) {
        List<String> out = new ArrayList<>();
        Map<String, List<String>> zones = data == null ? null : data.getZoneData();
        if (zones != null) {
            zones.values().forEach(v -> {
                if (v != null) {
                    out.addAll(v);
                }
            });
        }
        return out;
    }

    @Override
    public Object watchOnly(int client, String dataId) {
        SubscriberRegistration reg = new SubscriberRegistration(dataId, (id, data) -> { });
        reg.setScopeEnum(ScopeEnum.global);
        return clients.get(client).register(reg);
    }

    @Override
    public void close() {
        // The 6.5 client has no close(): the agent process ends instead.
        clients.clear();
    }
}
