package dev.registry.bench.agent;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives ZooKeeper the way ZooKeeper-based registries do: Curator service discovery,
 * one ephemeral znode per publisher (JSON with the value as payload), a {@link ServiceCache}
 * per subscriber. Session timeout: Curator's default (60 s requested; the server caps it at
 * 20 ticks = 40 s) unless {@code sessionTimeoutMs} is given.
 */
public final class ZooKeeperDriver implements Driver {
    static final String BASE = "/services";
    private final List<CuratorFramework> curators = new ArrayList<>();
    private final List<ServiceDiscovery<String>> discoveries = new ArrayList<>();
    private final List<ServiceCache<String>> caches = new ArrayList<>();

    private record Handle(ServiceDiscovery<String> discovery, String name, String id) {
    }

    @Override
    public void connect(String address, int count, Map<String, String> options) throws Exception {
        for (int i = 0; i < count; i++) {
            CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder().connectString(address)
                    .retryPolicy(new ExponentialBackoffRetry(100, 10)).connectionTimeoutMs(15_000);
            if (options.containsKey("sessionTimeoutMs")) {
                b.sessionTimeoutMs(Integer.parseInt(options.get("sessionTimeoutMs")));
            }
            CuratorFramework c = b.build();
            c.start();
            if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("client " + i + " could not connect to " + address);
            }
            ServiceDiscovery<String> d = ServiceDiscoveryBuilder.builder(String.class).client(c).basePath(BASE)
                    .serializer(new JsonInstanceSerializer<>(String.class)).build();
            d.start();
            curators.add(c);
            discoveries.add(d);
        }
    }

    @Override
    public Object publish(int client, String dataId, String value) throws Exception {
        ServiceDiscovery<String> d = discoveries.get(client);
        String id = UUID.randomUUID().toString();
        d.registerService(instance(dataId, id, value));
        return new Handle(d, dataId, id);
    }

    private static ServiceInstance<String> instance(String name, String id, String value) throws Exception {
        return ServiceInstance.<String>builder().name(name).id(id).address("10.0.0.1").port(8080).payload(value).build();
    }

    @Override
    public void update(Object handle, String value) throws Exception {
        Handle h = (Handle) handle;
        h.discovery.updateService(instance(h.name, h.id, value));
    }

    @Override
    public void subscribe(int client, String dataId, Consumer<List<String>> onList) throws Exception {
        ServiceCache<String> cache = discoveries.get(client).serviceCacheBuilder().name(dataId).build();
        cache.addListener(new ServiceCacheListener() {
            @Override
            public void cacheChanged() {
                onList.accept(payloads(cache));
            }

            @Override
            public void stateChanged(CuratorFramework c, ConnectionState state) {
            }
        });
        cache.start();
        synchronized (caches) {
            caches.add(cache);
        }
        onList.accept(payloads(cache));
    }

    private static List<String> payloads(ServiceCache<String> cache) {
        List<String> out = new ArrayList<>();
        for (ServiceInstance<String> i : cache.getInstances()) {
            out.add(i.getPayload());
        }
        return out;
    }

    @Override
    public void prepare(String dataId) throws Exception {
        try {
            curators.get(0).create().creatingParentsIfNeeded().forPath("/watch/" + dataId);
        } catch (KeeperException.NodeExistsException e) {
            // already there
        }
    }

    /** A child watch on the service path (what Dubbo's ZooKeeper registry sets per subscription). */
    @Override
    public Object watchOnly(int client, String dataId) throws Exception {
        CuratorWatcher noop = event -> { };
        return curators.get(client).getChildren().usingWatcher(noop).forPath("/watch/" + dataId);
    }

    @Override
    public void close() {
        synchronized (caches) {
            caches.forEach(ZooKeeperDriver::closeQuietly);
            caches.clear();
        }
        discoveries.forEach(ZooKeeperDriver::closeQuietly);
        curators.forEach(CuratorFramework::close);
        discoveries.clear();
        curators.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("close failed: " + e);
        }
    }
}
