package dev.registry.server;

import com.alipay.sofa.registry.client.api.Publisher;
import com.alipay.sofa.registry.client.api.Subscriber;
import com.alipay.sofa.registry.client.api.model.UserData;
import com.alipay.sofa.registry.client.api.registration.PublisherRegistration;
import com.alipay.sofa.registry.client.api.registration.SubscriberRegistration;
import com.alipay.sofa.registry.client.provider.DefaultRegistryClient;
import com.alipay.sofa.registry.client.provider.DefaultRegistryClientConfigBuilder;
import com.alipay.sofa.registry.client.remoting.ClientConnection;
import com.alipay.sofa.registry.client.remoting.ServerManager;
import com.alipay.sofa.registry.client.remoting.ServerNode;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SOFARegistry's own, unmodified Java client ({@code registry-client-all} 6.5.6) as an
 * application embeds it: configured with the registry endpoint and the session's admin HTTP
 * port, from which it discovers the Bolt addresses.
 *
 * <p>The client has no shutdown method; {@link #close} reaches into it (reflection, test only)
 * to destroy its one connection and its Bolt client, which is what a process exit does to the
 * server. Its daemon worker threads stay, idle, for the rest of the test JVM.
 */
final class SofaTestClient implements AutoCloseable {
    static {
        quietSofaLogging();
    }

    final DefaultRegistryClient client;
    private boolean closed;

    /**
     * The client's logging bridge (sofa-common-tools 1.0.x) cannot configure logback 1.5+ and
     * prints a stack trace per logger space before falling back to plain SLF4J; skip the attempt.
     * Call before anything loads sofa-hessian or the client.
     */
    static void quietSofaLogging() {
        System.setProperty("logback.middleware.log.disable", "true");
    }

    SofaTestClient(int discoveryHttpPort) {
        this(discoveryHttpPort, (com.alipay.sofa.registry.client.auth.AuthManager) null);
    }

    /** @param auth the client's AuthManager (as an application sets it before init), null for none */
    SofaTestClient(int discoveryHttpPort, com.alipay.sofa.registry.client.auth.AuthManager auth) {
        this(discoveryHttpPort, (java.util.function.Consumer<DefaultRegistryClient>) c -> {
            if (auth != null) {
                c.setAuthManager(auth);
            }
        });
    }

    /**
     * @param endpointPort the session's admin HTTP port, or with a {@code DirectServerManager} set by
     *                     {@code beforeInit} the Bolt address itself
     * @param beforeInit   what the application sets on the client before {@code init()}
     */
    SofaTestClient(int endpointPort, java.util.function.Consumer<DefaultRegistryClient> beforeInit) {
        client = new DefaultRegistryClient(config(endpointPort));
        beforeInit.accept(client);
        client.init();
    }

    static com.alipay.sofa.registry.client.api.RegistryClientConfig config(int endpointPort) {
        return DefaultRegistryClientConfigBuilder.start()
                .setRegistryEndpoint("127.0.0.1").setRegistryEndpointPort(endpointPort)
                .setAppName("sofa-test").setDataCenter("DefaultDataCenter").setZone("DEFAULT_ZONE").build();
    }

    Publisher publish(String dataId, String... values) {
        return client.register(new PublisherRegistration(dataId), values);
    }

    Publisher publish(PublisherRegistration registration, String... values) {
        return client.register(registration, values);
    }

    /** Subscribes with the client's default scope and records every callback. */
    Recorder subscribe(String dataId) {
        Recorder recorder = new Recorder();
        recorder.subscriber = client.register(new SubscriberRegistration(dataId, recorder::onData));
        return recorder;
    }

    /** True once the session answered the registration {@code refused} (the client then stops re-sending it). */
    static boolean refused(com.alipay.sofa.registry.client.api.Register register) {
        try {
            java.lang.reflect.Method m = com.alipay.sofa.registry.client.provider.AbstractInternalRegister.class
                    .getDeclaredMethod("isRefused");
            m.setAccessible(true);
            return (Boolean) m.invoke(register);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("registry-client-all changed its internals", e);
        }
    }

    /** The Bolt port of the session this client is connected to, or -1 while it has no live connection. */
    int connectedPort() {
        try {
            Field f = ClientConnection.class.getDeclaredField("clientConnection");
            f.setAccessible(true);
            com.alipay.remoting.Connection c = (com.alipay.remoting.Connection) f.get(connection());
            return c == null || !c.isFine() ? -1 : c.getRemotePort();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("registry-client-all changed its internals", e);
        }
    }

    private ClientConnection connection() {
        try {
            Field f = DefaultRegistryClient.class.getDeclaredField("client");
            f.setAccessible(true);
            return (ClientConnection) f.get(client);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("registry-client-all changed its internals", e);
        }
    }

    /**
     * What the process dying does: the connection closes and is never re-opened (its worker,
     * still looping, is given an empty server list so it stays quiet). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ClientConnection c = connection();
            c.setServerManager(new ServerManager() {
                @Override
                public List<ServerNode> getServerList() {
                    return List.of();
                }

                @Override
                public ServerNode random() {
                    return null;
                }
            });
            c.destroy();
        }
    }

    /** Every observer callback, flattened to the values of all zones. */
    static final class Recorder {
        final List<List<String>> received = new CopyOnWriteArrayList<>();
        final List<Map<String, List<String>>> zones = new CopyOnWriteArrayList<>();
        /** System.nanoTime() of each callback. */
        final List<Long> times = new CopyOnWriteArrayList<>();
        volatile Subscriber subscriber;

        void onData(String dataId, UserData data) {
            Map<String, List<String>> byZone = new TreeMap<>(data.getZoneData() == null ? Map.of() : data.getZoneData());
            List<String> values = new ArrayList<>();
            byZone.values().forEach(values::addAll);
            values.sort(null);
            zones.add(byZone);
            times.add(System.nanoTime());
            received.add(values);
        }

        /** Milliseconds from {@code startNanos} to the last callback. */
        long lastMillisSince(long startNanos) {
            return (times.get(times.size() - 1) - startNanos) / 1_000_000;
        }

        List<String> last() {
            return received.isEmpty() ? null : received.get(received.size() - 1);
        }

        /** True once the last callback shows exactly these values (any order). */
        boolean shows(String... values) {
            List<String> want = new ArrayList<>(List.of(values));
            want.sort(null);
            return want.equals(last());
        }
    }
}
