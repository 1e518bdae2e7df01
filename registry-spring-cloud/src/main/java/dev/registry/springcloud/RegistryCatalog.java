package dev.registry.springcloud;

import dev.registry.client.CatalogWatch;
import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The names of the services in this application's group, watched: the registry pushes every
 * change of which services have instances, and each one is published as a {@link HeartbeatEvent}
 * (Spring Cloud Gateway refreshes its discovered routes on it). The watch starts with the
 * context; while the registry cannot be reached it is retried every 2 s, and {@link #services()}
 * asks the registry directly. Thread-safe.
 */
public final class RegistryCatalog implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(RegistryCatalog.class);
    private static final long RETRY_SECONDS = 2;

    private final RegistryClient client;
    private final String group;
    private final ApplicationEventPublisher events;
    private final AtomicLong changes = new AtomicLong();
    private volatile List<String> services;
    private volatile CatalogWatch watch;
    private volatile ScheduledExecutorService retry;
    private volatile boolean running;

    public RegistryCatalog(RegistryClient client, String group, ApplicationEventPublisher events) {
        this.client = client;
        this.group = group;
        this.events = events;
    }

    /** The services of the group with at least one instance, sorted. */
    public List<String> services() {
        List<String> watched = services;
        if (watched != null) {
            return watched;
        }
        return names(client.services(group));
    }

    private static List<String> names(List<DataInfoId> ids) {
        List<String> out = new ArrayList<>(ids.size());
        ids.forEach(id -> out.add(id.dataId()));
        return List.copyOf(out);
    }

    @Override
    public synchronized void start() {
        running = true;
        retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-catalog-watch");
            t.setDaemon(true);
            return t;
        });
        retry.execute(this::tryWatch);
    }

    private void tryWatch() {
        if (!running || watch != null) {
            return;
        }
        try {
            watch = client.watchCatalog(group, ids -> {
                services = names(ids);
                events.publishEvent(new HeartbeatEvent(this, changes.incrementAndGet()));
            });
            log.debug("watching the services of group {}", group);
        } catch (RuntimeException e) {
            log.info("cannot watch the services of group {} yet ({}); retrying every {} s", group, e.getMessage(),
                    RETRY_SECONDS);
            ScheduledExecutorService r = retry;
            if (r != null && running) {
                r.schedule(this::tryWatch, RETRY_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (retry != null) {
            retry.shutdownNow();
            retry = null;
        }
        CatalogWatch w = watch;
        watch = null;
        if (w != null) {
            w.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Catalog changes seen (the HeartbeatEvent's value). */
    public long changes() {
        return changes.get();
    }
}
