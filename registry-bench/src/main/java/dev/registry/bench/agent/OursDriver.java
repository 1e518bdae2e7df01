package dev.registry.bench.agent;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/** Drives this project's registry through {@link RegistryClient}, with its production defaults. */
public final class OursDriver implements Driver {
    private final List<RegistryClient> clients = new ArrayList<>();

    /**
     * Option {@code pin=<offset>}: client i is given only session {@code (offset + i) % n} of the
     * address list, so the clients of several agents spread evenly over the sessions (a random
     * pick leaves them uneven, and the sessions then move clients around, re-registering
     * everything they hold).
     */
    @Override
    public void connect(String address, int count, Map<String, String> options) {
        String[] sessions = address.split(",");
        for (int i = 0; i < count; i++) {
            String to = options.containsKey("pin")
                    ? sessions[(Integer.parseInt(options.get("pin")) + i) % sessions.length] : address;
            RegistryClient c = RegistryClient.start(RegistryClientConfig.builder(to).appName("bench").build());
            if (!c.isConnected()) {
                throw new IllegalStateException("client " + i + " could not connect to " + to);
            }
            clients.add(c);
        }
    }

    /**
     * Asynchronous, as an application that registers many services at start-up would use the
     * client ({@link RegistryClient#publishAsync}): the handle is the future of the publication,
     * and the agent waits until every one is acknowledged ({@link #isAcknowledged}).
     */
    @Override
    public Object publish(int client, String dataId, String value) {
        return clients.get(client).publishAsync(DataInfoId.of(dataId), List.of(value));
    }

    @Override
    public boolean isAcknowledged(Object handle) {
        return !(handle instanceof CompletableFuture<?> f) || f.isDone(); // subscriptions are blocking
    }

    @Override
    public void whenAcknowledged(Object handle, Runnable action) {
        if (handle instanceof CompletableFuture<?> f) {
            f.whenComplete((p, e) -> action.run());
        } else {
            action.run();
        }
    }

    @Override
    public Throwable failure(Object handle) {
        if (!(handle instanceof CompletableFuture<?> f) || !f.isCompletedExceptionally()) {
            return null;
        }
        try {
            f.join();
            return null;
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    @Override
    public void update(Object handle, String value) {
        future(handle).join().update(List.of(value));
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Publication> future(Object handle) {
        return (CompletableFuture<Publication>) handle;
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
