package dev.registry.dubbo;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.metadata.MappingChangedEvent;
import org.apache.dubbo.metadata.MappingListener;
import org.apache.dubbo.metadata.definition.model.ServiceDefinition;
import org.apache.dubbo.metadata.report.MetadataReport;
import org.apache.dubbo.metadata.report.identifier.MetadataIdentifier;
import org.apache.dubbo.metadata.report.identifier.ServiceMetadataIdentifier;
import org.apache.dubbo.metadata.report.identifier.SubscriberMetadataIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The interface -> application mapping of Dubbo 3 ({@code ServiceNameMapping}), the only part of a
 * metadata report this registry serves. Dubbo 3.3's {@code MetadataServiceNameMapping} maps
 * through the metadata reports, and Dubbo turns a registry into a metadata report by itself when
 * a {@code MetadataReportFactory} of the registry's protocol exists; so a provider's exported
 * interface becomes one publisher of {@code DataInfoId(interface, <prefix>_MAPPING)} whose value
 * is the application name ({@link #registerServiceAppMapping(String, String, URL)} returning true
 * tells Dubbo to skip its read-modify-write of a shared comma list: publishers already are a
 * set). The mapping is as live as the providers: it leaves with the application's session
 * connection. A consumer reads it with a subscription, which also delivers later changes.
 *
 * <p>Everything else a metadata report can store (service definitions, remote instance metadata)
 * is not kept: {@link #shouldReportDefinition()} and {@link #shouldReportMetadata()} are false, and
 * consumers get an instance's metadata from the instance itself (Dubbo's default
 * {@code metadata-type=local}).
 */
public final class ShardedMetadataReport implements MetadataReport {
    private static final Logger log = LoggerFactory.getLogger(ShardedMetadataReport.class);

    private final RegistryClient client;
    private final String group;
    private final String instanceId;
    private final Duration firstListWait;
    private final Notifier notifier = new Notifier("sharded-mapping-notify");
    private final Map<String, Publication> mappings = new ConcurrentHashMap<>();
    private final Map<String, MappingWatch> watches = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean destroyed = new java.util.concurrent.atomic.AtomicBoolean();

    public ShardedMetadataReport(URL url, RegistryClient client) {
        this.client = client;
        this.group = DubboNames.categoryGroup(ShardedClients.prefix(url), DubboNames.MAPPING);
        this.instanceId = ShardedClients.instanceId(url);
        this.firstListWait = Duration.ofMillis(url.getParameter("registry-timeout", 10_000) + 1_000L);
    }

    private DataInfoId idOf(String serviceInterface) {
        return DubboNames.id(serviceInterface, group, instanceId);
    }

    @Override
    public boolean registerServiceAppMapping(String serviceInterface, String application, URL url) {
        mappings.computeIfAbsent(serviceInterface, k -> {
            Publication p = client.publish(idOf(k), List.of(application));
            log.debug("mapped {} to application {}", k, application);
            return p;
        });
        return true;
    }

    @Override
    public Set<String> getServiceAppMapping(String serviceInterface, URL url) {
        MappingWatch w = watches.get(serviceInterface);
        if (w != null) {
            return w.apps();
        }
        try (Watch once = Watch.start(client, idOf(serviceInterface), values -> { })) {
            return new LinkedHashSet<>(once.awaitFirst(firstListWait));
        }
    }

    @Override
    public Set<String> getServiceAppMapping(String serviceInterface, MappingListener listener, URL url) {
        MappingWatch w = watches.computeIfAbsent(serviceInterface, MappingWatch::new);
        w.listeners.add(listener);
        return w.apps();
    }

    @Override
    public void removeServiceAppMappingListener(String serviceInterface, MappingListener listener) {
        MappingWatch w = watches.get(serviceInterface);
        if (w != null) {
            w.listeners.remove(listener);
            if (w.listeners.isEmpty() && watches.remove(serviceInterface, w)) {
                w.close();
            }
        }
    }

    /** One subscription of one interface's mapping, shared by its listeners. */
    private final class MappingWatch {
        private final String serviceInterface;
        private final Set<MappingListener> listeners = ConcurrentHashMap.newKeySet();
        private final Watch watch;
        private Set<String> lastFired;

        MappingWatch(String serviceInterface) {
            this.serviceInterface = serviceInterface;
            this.watch = Watch.start(client, idOf(serviceInterface), values -> notifier.execute(this::fire));
        }

        /** The applications now; what a new listener starts from, so only later changes are fired. */
        Set<String> apps() {
            Set<String> now = Collections.unmodifiableSet(new LinkedHashSet<>(watch.awaitFirst(firstListWait)));
            synchronized (this) {
                if (lastFired == null) {
                    lastFired = now;
                }
            }
            return new LinkedHashSet<>(now);
        }

        private synchronized void fire() {
            Set<String> now = Collections.unmodifiableSet(new LinkedHashSet<>(watch.values()));
            if (lastFired == null || now.equals(lastFired)) {
                return; // nobody got a list yet, or nothing changed
            }
            lastFired = now;
            for (MappingListener l : listeners) {
                l.onEvent(new MappingChangedEvent(serviceInterface, now));
            }
        }

        void close() {
            try {
                watch.close();
            } catch (RuntimeException e) {
                log.debug("unsubscribing mapping of {} failed: {}", serviceInterface, e.getMessage());
            }
        }
    }

    @Override
    public boolean shouldReportDefinition() {
        return false;
    }

    @Override
    public boolean shouldReportMetadata() {
        return false;
    }

    @Override
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) {
            return; // Dubbo destroys a report through the report instance and again through the factory
        }
        watches.values().forEach(MappingWatch::close);
        watches.clear();
        mappings.clear(); // their publishers leave with the client's connection
        notifier.close();
        client.close();
    }

    // ---- what this registry does not store ----

    @Override
    public void storeProviderMetadata(MetadataIdentifier id, ServiceDefinition definition) {
    }

    @Override
    public String getServiceDefinition(MetadataIdentifier id) {
        return null;
    }

    @Override
    public void storeConsumerMetadata(MetadataIdentifier id, Map<String, String> parameters) {
    }

    @Override
    public List<String> getExportedURLs(ServiceMetadataIdentifier id) {
        return List.of();
    }

    @Override
    public void saveServiceMetadata(ServiceMetadataIdentifier id, URL url) {
    }

    @Override
    public void removeServiceMetadata(ServiceMetadataIdentifier id) {
    }

    @Override
    public void saveSubscribedData(SubscriberMetadataIdentifier id, Set<String> urls) {
    }

    @Override
    public List<String> getSubscribedURLs(SubscriberMetadataIdentifier id) {
        return List.of();
    }
}
