package dev.registry.bench.agent;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Drives this project's registry through {@link RegistryClient}, with its production defaults. */
public final class OursDriver implements Driver {
    private final List<RegistryClient> clients = new ArrayList<>();

    @Override
    public void connect(String address, int count, Map<String, String> options) {
        for (int i = 0; i < count; i++) {
            RegistryClient c = RegistryClient.start(RegistryClientConfig.builder(address).appName("bench").build());
            if (!c.isConnected()) {
                throw new IllegalStateException("client " + i + " could not connect to " + address);
            }
            clients.add(c);
        }
    }

    @Override
    public Object publish(int client, String dataId, String value) {
        return clients.get(client).publish(DataInfoId.of(dataId), List.of(value));
    }

    @Override
    public void update(Object handle, String value) {
        ((Publication) handle).update(List.of(value));
    }

    @Override
    public void subscribe(int client, String dataId, Consumer<List<String>> onList) {
        clients.get(client).subscribe(DataInfoId.of(dataId), data -> onList.accept(data.values()));
    }

    @Override
    public Object watchOnly(int client, String dataId) {
        return clients.get(client).subscribe(DataInfoId.of(dataId), data -> { });
    }

    @Override
    public void close() {
        clients.forEach(RegistryClient::close);
        clients.clear();
    }
}
