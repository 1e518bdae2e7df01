package dev.registry.dubbo;

import dev.registry.client.CatalogWatch;
import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.URLBuilder;
import org.apache.dubbo.common.utils.UrlUtils;
import org.apache.dubbo.registry.NotifyListener;
import org.apache.dubbo.registry.support.FailbackRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.apache.dubbo.common.constants.CommonConstants.ANY_VALUE;
import static org.apache.dubbo.common.constants.CommonConstants.CHECK_KEY;
import static org.apache.dubbo.common.constants.CommonConstants.INTERFACE_KEY;
import static org.apache.dubbo.common.constants.RegistryConstants.CATEGORY_KEY;
import static org.apache.dubbo.common.constants.RegistryConstants.CONFIGURATORS_CATEGORY;
import static org.apache.dubbo.common.constants.RegistryConstants.CONSUMERS_CATEGORY;
import static org.apache.dubbo.common.constants.RegistryConstants.DEFAULT_CATEGORY;
import static org.apache.dubbo.common.constants.RegistryConstants.EMPTY_PROTOCOL;
import static org.apache.dubbo.common.constants.RegistryConstants.PROVIDERS_CATEGORY;
import static org.apache.dubbo.common.constants.RegistryConstants.ROUTERS_CATEGORY;

/**
 * Dubbo's interface-level registry on this registry ({@code sharded://host:port}).
 *
 * <p>A registered URL is one publisher of {@code DataInfoId(interface, <prefix>_<CATEGORY>)} whose
 * value is {@code url.toFullString()} (see {@link DubboNames}); it leaves the registry when
 * unregistered or when this process' session connection is lost. A subscription is one registry
 * subscription per category; each push is the full list of that category, handed to Dubbo as is,
 * or as an {@code empty://} URL when no published URL matches the subscriber (group, version,
 * classifier and enabled are matched here, by Dubbo's own rule), which is how Dubbo learns that
 * the last provider left.
 *
 * <p>The registry client re-registers publishers and subscribers itself after a reconnect and
 * keeps the last list meanwhile, so Dubbo's failback retries only cover calls that failed while
 * no session answered.
 *
 * <p>Pushes arrive on a registry client I/O thread; Dubbo's listeners build invokers (and may
 * connect to providers) on notify, so every notification runs on one ordered notifier thread of
 * this registry instead.
 */
public final class ShardedRegistry extends FailbackRegistry {
    private static final Logger log = LoggerFactory.getLogger(ShardedRegistry.class);
    private static final String[] ALL_CATEGORIES = {PROVIDERS_CATEGORY, CONSUMERS_CATEGORY, ROUTERS_CATEGORY,
            CONFIGURATORS_CATEGORY};

    private final RegistryClient client;
    private final String prefix;
    private final String instanceId;
    private final Duration firstListWait;
    private final Notifier notifier;
    private final Map<URL, Publication> published = new ConcurrentHashMap<>();
    private final Map<URL, Map<NotifyListener, Subscribed>> subscriptions = new ConcurrentHashMap<>();
    /** Per category group: the catalog watch feeding the {@code *} subscriptions (one watch per group and client). */
    private final Map<String, CatalogFanout> catalogs = new ConcurrentHashMap<>();

    public ShardedRegistry(URL url, RegistryClient client) {
        super(url);
        this.client = client;
        this.prefix = ShardedClients.prefix(url);
        this.instanceId = ShardedClients.instanceId(url);
        this.firstListWait = Duration.ofMillis(url.getParameter("registry-timeout", 10_000) + 1_000L);
        this.notifier = new Notifier("sharded-registry-notify");
    }

    @Override
    public boolean isAvailable() {
        return client.isConnected();
    }

    private DataInfoId idOf(String serviceInterface, String category) {
        return DubboNames.id(serviceInterface, DubboNames.categoryGroup(prefix, category), instanceId);
    }

    // ---- register ----

    @Override
    public void doRegister(URL url) {
        DataInfoId id = idOf(url.getServiceInterface(), url.getCategory(DEFAULT_CATEGORY));
        List<String> value = List.of(url.toFullString());
        Publication p = published.get(url);
        if (p != null) {
            p.update(value);
            return;
        }
        p = client.publish(id, value);
        Publication raced = published.putIfAbsent(url, p);
        if (raced != null) {
            p.unregister(); // registered twice at once: keep one publisher
        }
        log.debug("registered {} as {}", url, id);
    }

    @Override
    public void doUnregister(URL url) {
        Publication p = published.remove(url);
        if (p != null) {
            p.unregister();
            log.debug("unregistered {}", url);
        }
    }

    // ---- subscribe ----

    @Override
    public void doSubscribe(URL url, NotifyListener listener) {
        Map<NotifyListener, Subscribed> byListener = subscriptions.computeIfAbsent(url, k -> new ConcurrentHashMap<>());
        Subscribed s = ANY_VALUE.equals(url.getServiceInterface()) ? new AnySubscription(url, listener)
                : new InterfaceSubscription(url, listener);
        if (byListener.putIfAbsent(listener, s) != null) {
            return; // subscribed already (a failback retry racing a success)
        }
        try {
            s.start();
        } catch (RuntimeException e) {
            byListener.remove(listener, s);
            s.close();
            throw e;
        }
    }

    @Override
    public void doUnsubscribe(URL url, NotifyListener listener) {
        Map<NotifyListener, Subscribed> byListener = subscriptions.get(url);
        if (byListener == null) {
            return;
        }
        Subscribed s = byListener.remove(listener);
        if (byListener.isEmpty()) {
            subscriptions.remove(url, byListener);
        }
        if (s != null) {
            s.close();
        }
    }

    @Override
    public List<URL> lookup(URL url) {
        if (ANY_VALUE.equals(url.getServiceInterface())) {
            return super.lookup(url);
        }
        List<URL> result = new ArrayList<>();
        for (String category : categories(url)) {
            try (Watch w = Watch.start(client, idOf(url.getServiceInterface(), category), values -> { })) {
                for (URL u : parse(w.awaitFirst(firstListWait))) {
                    if (UrlUtils.isMatch(url, u)) {
                        result.add(u);
                    }
                }
            }
        }
        return result;
    }

    @Override
    public void destroy() {
        super.destroy(); // unregisters and unsubscribes through doUnregister / doUnsubscribe
        catalogs.values().forEach(CatalogFanout::close);
        catalogs.clear();
        notifier.close();
        client.close();
    }

    private static String[] categories(URL url) {
        return ANY_VALUE.equals(url.getCategory()) ? ALL_CATEGORIES : url.getCategory(new String[]{DEFAULT_CATEGORY});
    }

    private static List<URL> parse(List<String> values) {
        List<URL> urls = new ArrayList<>(values.size());
        for (String v : values) {
            try {
                urls.add(URL.valueOf(v));
            } catch (RuntimeException e) {
                log.debug("skipped a value that is no Dubbo URL: {}", v);
            }
        }
        return urls;
    }

    private interface Subscribed {
        void start();

        void close();
    }

    /** One subscriber URL of one interface: a registry subscription per category. */
    private final class InterfaceSubscription implements Subscribed {
        private final URL url;
        private final NotifyListener listener;
        private final Map<String, List<URL>> byCategory = new ConcurrentHashMap<>();
        private final List<Watch> watches = new ArrayList<>();
        private volatile boolean live;
        private volatile boolean closed;

        InterfaceSubscription(URL url, NotifyListener listener) {
            this.url = url;
            this.listener = listener;
        }

        @Override
        public void start() {
            String[] categories = categories(url);
            for (String category : categories) {
                watches.add(Watch.start(client, idOf(url.getServiceInterface(), category),
                        values -> onPush(category, values)));
            }
            for (Watch w : watches) {
                w.awaitFirst(firstListWait);
            }
            live = true;
            // The first notification before subscribe returns, as Dubbo's other registries do: a
            // consumer checks for providers right after subscribing.
            notifier.runAndWait(() -> {
                List<URL> all = new ArrayList<>();
                for (String category : categories) {
                    all.addAll(byCategory.getOrDefault(category, List.of()));
                }
                deliver(all);
            });
        }

        private void onPush(String category, List<String> values) {
            List<URL> matching = new ArrayList<>();
            for (URL u : parse(values)) {
                if (UrlUtils.isMatch(url, u)) {
                    matching.add(u);
                }
            }
            if (matching.isEmpty()) {
                matching.add(URLBuilder.from(url).setProtocol(EMPTY_PROTOCOL).addParameter(CATEGORY_KEY, category).build());
            }
            List<URL> previous = byCategory.put(category, List.copyOf(matching));
            // The registry may push an unchanged list again (a new datum version after a data
            // server took the slot over): Dubbo would rebuild its directory for nothing, and for
            // routers / configurators log an "empty address list" warning.
            if (live && !sameUrls(previous, matching)) {
                // Reads the category's list when it runs: a burst of pushes ends with the latest list.
                notifier.execute(() -> deliver(byCategory.get(category)));
            }
        }

        private static boolean sameUrls(List<URL> a, List<URL> b) {
            if (a == null || a.size() != b.size()) {
                return false;
            }
            Set<String> left = new java.util.HashSet<>();
            a.forEach(u -> left.add(u.toFullString()));
            for (URL u : b) {
                if (!left.contains(u.toFullString())) {
                    return false;
                }
            }
            return true;
        }

        private void deliver(List<URL> urls) {
            if (!closed && urls != null && !urls.isEmpty()) {
                ShardedRegistry.this.notify(url, listener, urls);
            }
        }

        @Override
        public void close() {
            closed = true;
            for (Watch w : watches) {
                try {
                    w.close();
                } catch (RuntimeException e) {
                    log.debug("unsubscribing {} failed: {}", url.getServiceInterface(), e.getMessage());
                }
            }
        }
    }

    /**
     * {@code interface=*} (admin tools): every interface that has URLs in a subscribed category, as
     * the category group's catalog lists them, is subscribed like a normal interface with the same
     * listener. Interfaces that leave the catalog are not unsubscribed: their listener gets the
     * empty list, as with Dubbo's ZooKeeper registry.
     */
    private final class AnySubscription implements Subscribed {
        private final URL url;
        private final NotifyListener listener;
        private final Set<String> known = ConcurrentHashMap.newKeySet();
        private final List<URL> spawned = new ArrayList<>();
        private volatile boolean closed;

        AnySubscription(URL url, NotifyListener listener) {
            this.url = url;
            this.listener = listener;
        }

        @Override
        public void start() {
            for (String category : categories(url)) {
                String group = DubboNames.categoryGroup(prefix, category);
                catalogs.computeIfAbsent(group, CatalogFanout::new).add(this);
            }
        }

        void onCatalog(List<DataInfoId> ids) {
            for (DataInfoId id : ids) {
                if (closed) {
                    return;
                }
                if (instanceId != null ? !instanceId.equals(id.instanceId())
                        : !DataInfoId.DEFAULT_INSTANCE_ID.equals(id.instanceId())) {
                    continue;
                }
                String serviceInterface = DubboNames.unescape(id.dataId());
                if (known.add(serviceInterface)) {
                    URL one = url.setPath(serviceInterface).addParameters(INTERFACE_KEY, serviceInterface,
                            CHECK_KEY, String.valueOf(url.getParameter(CHECK_KEY, false)));
                    synchronized (spawned) {
                        spawned.add(one);
                    }
                    subscribe(one, listener);
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            catalogs.values().forEach(c -> c.remove(this));
            List<URL> copy;
            synchronized (spawned) {
                copy = List.copyOf(spawned);
            }
            for (URL one : copy) {
                unsubscribe(one, listener);
            }
        }
    }

    /** One catalog watch of a category group, fanned out to the {@code *} subscriptions. */
    private final class CatalogFanout {
        private final Set<AnySubscription> subscribers = ConcurrentHashMap.newKeySet();
        private final CatalogWatch watch;

        CatalogFanout(String group) {
            this.watch = client.watchCatalog(group, ids -> notifier.execute(() -> subscribers.forEach(s -> s.onCatalog(ids))));
        }

        void add(AnySubscription s) {
            subscribers.add(s);
            s.onCatalog(watch.current()); // on the caller's thread: subscribe returns with the known interfaces
        }

        void remove(AnySubscription s) {
            subscribers.remove(s);
        }

        void close() {
            watch.close();
        }
    }

    @Override
    public String toString() {
        return "ShardedRegistry{" + getUrl().getBackupAddress(ShardedClients.DEFAULT_PORT) + ", prefix=" + prefix
                + (Objects.isNull(instanceId) ? "" : ", instance=" + instanceId) + "}";
    }
}
