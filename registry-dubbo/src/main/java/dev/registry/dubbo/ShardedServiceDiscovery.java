package dev.registry.dubbo;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.client.AbstractServiceDiscovery;
import org.apache.dubbo.registry.client.ServiceInstance;
import org.apache.dubbo.registry.client.event.ServiceInstancesChangedEvent;
import org.apache.dubbo.registry.client.event.listener.ServiceInstancesChangedListener;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dubbo's application-level service discovery on this registry: this application's instance is
 * one publisher of {@code DataInfoId(application, <prefix>_APPS)} with the instance as JSON
 * ({@link InstanceCodec}); the applications are the catalog of that group; a consumer's instance
 * listeners are fed by subscriptions to the applications they name, one per application shared by
 * all listeners, each push becoming a {@link ServiceInstancesChangedEvent} with the full list.
 */
public final class ShardedServiceDiscovery extends AbstractServiceDiscovery {
    private static final Logger log = LoggerFactory.getLogger(ShardedServiceDiscovery.class);

    private final RegistryClient client;
    private final String group;
    private final String instanceId;
    private final Duration firstListWait;
    private final Notifier notifier = new Notifier("sharded-discovery-notify");
    private final Map<String, AppWatch> watches = new ConcurrentHashMap<>();
    private volatile Publication publication;

    public ShardedServiceDiscovery(ApplicationModel applicationModel, URL registryUrl, RegistryClient client) {
        super(applicationModel, registryUrl);
        this.client = client;
        this.group = DubboNames.categoryGroup(ShardedClients.prefix(registryUrl), DubboNames.APPS);
        this.instanceId = ShardedClients.instanceId(registryUrl);
        this.firstListWait = Duration.ofMillis(registryUrl.getParameter("registry-timeout", 10_000) + 1_000L);
    }

    private DataInfoId idOf(String application) {
        return DubboNames.id(application, group, instanceId);
    }

    @Override
    protected void doRegister(ServiceInstance instance) {
        String value = InstanceCodec.toJson(instance);
        synchronized (this) {
            if (publication != null) {
                publication.update(List.of(value));
            } else {
                publication = client.publish(idOf(instance.getServiceName()), List.of(value));
            }
        }
        log.debug("registered instance {}", value);
    }

    @Override
    protected void doUnregister(ServiceInstance instance) {
        Publication p;
        synchronized (this) {
            p = publication;
            publication = null;
        }
        if (p != null) {
            p.unregister();
        }
    }

    /**
     * Same application, host and port: one {@code update} of the publisher, so consumers never see
     * the instance missing in between (the default unregisters and registers again).
     */
    @Override
    protected void doUpdate(ServiceInstance oldInstance, ServiceInstance newInstance) {
        Publication p = publication;
        if (p == null || !Objects.equals(oldInstance.getServiceName(), newInstance.getServiceName())
                || !Objects.equals(oldInstance.getHost(), newInstance.getHost())
                || oldInstance.getPort() != newInstance.getPort()
                || "0".equals(newInstance.getMetadata().get("dubbo.metadata.revision"))) {
            super.doUpdate(oldInstance, newInstance);
            return;
        }
        this.serviceInstance = newInstance;
        reportMetadata(newInstance.getServiceMetadata());
        p.update(List.of(InstanceCodec.toJson(newInstance)));
    }

    @Override
    public Set<String> getServices() {
        Set<String> apps = new LinkedHashSet<>();
        for (DataInfoId id : client.services(group)) {
            if (Objects.equals(id.instanceId(), instanceId == null ? DataInfoId.DEFAULT_INSTANCE_ID : instanceId)) {
                apps.add(DubboNames.unescape(id.dataId()));
            }
        }
        return apps;
    }

    @Override
    public List<ServiceInstance> getInstances(String serviceName) {
        AppWatch watched = watches.get(serviceName);
        if (watched != null) {
            return watched.instances();
        }
        try (Watch w = Watch.start(client, idOf(serviceName), values -> { })) {
            return toInstances(w.awaitFirst(firstListWait));
        }
    }

    private List<ServiceInstance> toInstances(List<String> values) {
        List<ServiceInstance> list = new ArrayList<>(values.size());
        for (String v : values) {
            try {
                list.add(InstanceCodec.fromJson(v, applicationModel));
            } catch (IllegalArgumentException e) {
                log.debug("skipped a value that is no Dubbo instance ({}): {}", e.getMessage(), v);
            }
        }
        return list;
    }

    @Override
    public void addServiceInstancesChangedListener(ServiceInstancesChangedListener listener) {
        if (!instanceListeners.add(listener)) {
            return; // already added through another interface of the same applications
        }
        for (String app : listener.getServiceNames()) {
            watches.computeIfAbsent(app, AppWatch::new).add(listener);
        }
    }

    @Override
    public void removeServiceInstancesChangedListener(ServiceInstancesChangedListener listener) {
        if (!instanceListeners.remove(listener)) {
            return;
        }
        for (String app : listener.getServiceNames()) {
            AppWatch w = watches.get(app);
            if (w != null && w.remove(listener)) {
                watches.remove(app, w);
                w.close();
            }
        }
    }

    @Override
    protected void doDestroy() {
        Publication p = publication;
        publication = null;
        if (p != null) {
            try {
                p.unregister();
            } catch (RuntimeException e) {
                log.debug("unregistering the instance on destroy failed: {}", e.getMessage());
            }
        }
        watches.values().forEach(AppWatch::close);
        watches.clear();
        notifier.close();
        client.close();
    }

    /** One subscription of one application, fanned out to its listeners on the notifier thread. */
    private final class AppWatch {
        private final String app;
        private final Set<ServiceInstancesChangedListener> listeners = ConcurrentHashMap.newKeySet();
        private volatile List<String> latest;
        private final Watch watch;

        AppWatch(String app) {
            this.app = app;
            this.watch = Watch.start(client, idOf(app), values -> {
                latest = values;
                notifier.execute(this::fire);
            });
        }

        List<ServiceInstance> instances() {
            List<String> values = latest;
            return values == null ? getInstancesOnce() : toInstances(values);
        }

        private List<ServiceInstance> getInstancesOnce() {
            return toInstances(watch.awaitFirst(firstListWait));
        }

        void add(ServiceInstancesChangedListener listener) {
            listeners.add(listener);
            // A listener joining after the first push still gets the list: fire again (listeners
            // ignore a list they already have).
            notifier.execute(this::fire);
        }

        /** @return true when no listener is left */
        boolean remove(ServiceInstancesChangedListener listener) {
            listeners.remove(listener);
            return listeners.isEmpty();
        }

        private void fire() {
            List<String> values = latest; // the list when the task runs: a burst of pushes ends with the latest
            if (values == null) {
                return;
            }
            List<ServiceInstance> now = toInstances(values);
            for (ServiceInstancesChangedListener l : listeners) {
                if (!l.isDestroyed()) {
                    l.onEvent(new ServiceInstancesChangedEvent(app, now));
                }
            }
        }

        void close() {
            try {
                watch.close();
            } catch (RuntimeException e) {
                log.debug("unsubscribing {} failed: {}", app, e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "ShardedServiceDiscovery{" + registryURL.getBackupAddress(ShardedClients.DEFAULT_PORT) + ", group=" + group + "}";
    }
}
