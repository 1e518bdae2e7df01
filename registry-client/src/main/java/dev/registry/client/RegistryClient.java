package dev.registry.client;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;
import dev.registry.common.protocol.ClientHello;
import dev.registry.common.model.ContentFingerprint;
import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.PushDeltas;
import dev.registry.common.protocol.PushRequest;
import com.google.common.net.HostAndPort;
import dev.registry.common.protocol.ReconnectRequest;
import dev.registry.common.protocol.SessionList;
import dev.registry.common.protocol.SessionListRequest;
import dev.registry.common.protocol.RegisterAck;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.RegisterSubscriberRequest;
import dev.registry.common.protocol.UnregisterPublisherRequest;
import dev.registry.common.protocol.UnregisterSubscriberRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.Backoff;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.ReconnectingConnection;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The registry client a service embeds: publish its own address, subscribe to the services
 * it calls.
 *
 * <pre>{@code
 * try (RegistryClient client = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:9600").build())) {
 *     Publication me = client.publish(DataInfoId.of("com.example.Orders"), List.of("10.0.0.1:8080"));
 *     client.subscribe(DataInfoId.of("com.example.Payments"), data -> System.out.println(data.values()));
 *     ...
 * }
 * }</pre>
 *
 * <p>The client keeps one connection to a session, sends heartbeats, and on disconnect moves
 * to the next session address (with backoff) and re-registers every publisher and subscriber
 * with the same registerIds. Subscribers keep their last list meanwhile: there is never an
 * empty callback caused by a reconnect. Thread-safe.
 */
public final class RegistryClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);

    private final RegistryClientConfig config;
    private final RpcClient rpc;
    private final ReconnectingConnection connection;
    private final Map<String, PublicationImpl> publications = new ConcurrentHashMap<>();
    private final Map<String, SubscriptionImpl> subscriptions = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** This host's address on the last session connection; null before the first. */
    private volatile String localIp;
    private final java.util.concurrent.atomic.LongAdder olderPushesDropped = new java.util.concurrent.atomic.LongAdder();
    /** Delta pushes this client could not apply (it answered resync and got the full list). */
    private final java.util.concurrent.atomic.LongAdder deltaResyncs = new java.util.concurrent.atomic.LongAdder();
    /** Most publishes sent in one frame to a session that takes batches. */
    private static final int MAX_PUBLISH_BATCH = 256;
    /** Batches the publishes of the current connection, if its session takes batches. */
    private volatile PublishBatcher batcher;
    /** Permits for registrations waiting for the session's answer (back-pressure of publishAsync). */
    private final java.util.concurrent.Semaphore pending;
    /** Who this client is to sessions, for the life of this object: its lost links are damped by it. */
    private final String clientId = RegisterIds.next();
    private final LinkLosses linkLosses = new LinkLosses(System::nanoTime);
    /** The last session's refusal of this client's credentials; null once one accepted them. */
    private volatile RegistryException authFailure;
    /** Connections a session asked to leave: their close is a move, not a lost link. */
    private final java.util.Set<RpcConnection> moving = ConcurrentHashMap.newKeySet();
    private final CatalogWatches catalogWatches = new CatalogWatches();

    private RegistryClient(RegistryClientConfig config) {
        this.config = config;
        this.pending = new java.util.concurrent.Semaphore(config.maxPendingRegistrations());
        HandlerRegistry handlers = new HandlerRegistry()
                .register(PushRequest.class, this::onPush)
                .register(ReconnectRequest.class, this::onReconnectRequest)
                .register(dev.registry.common.protocol.CatalogChanged.class, catalogWatches::onChanged);
        RpcConfig rpcConfig = RpcConfig.clientDefaults()
                .withHeartbeat(config.heartbeatInterval(), config.idleTimeout())
                .withCallTimeout(config.requestTimeout());
        if (config.tlsCa() != null) {
            rpcConfig = rpcConfig.withTls(dev.registry.common.tls.TlsSettings.client(config.tlsCa()));
        }
        this.rpc = new RpcClient("registry-client", rpcConfig, WireClasses.serializer(), handlers,
                new ConnectionListener() { });
        this.connection = new ReconnectingConnection(rpc, config.sessionServers(),
                new Backoff(config.reconnectMin(), config.reconnectMax(), new Random()),
                ThreadLocalRandom.current().nextInt(config.sessionServers().size()), this::registerAll);
    }

    /**
     * Starts the client and waits up to the request timeout for a first session connection.
     * If none answers in time the client keeps trying in the background and registrations
     * made meanwhile are sent once connected.
     */
    public static RegistryClient start(RegistryClientConfig config) {
        RegistryClient client = new RegistryClient(config);
        CompletableFuture<RpcConnection> first = client.connection.start();
        try {
            first.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            RegistryException refused = client.authFailure;
            if (refused != null) {
                log.warn("{}; still trying", refused.getMessage());
            } else {
                log.warn("no session of {} answered within {} ms; still trying", config.sessionServers(),
                        config.requestTimeout().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("connecting to sessions failed: {}", e.getCause().getMessage());
        }
        return client;
    }

    /**
     * Pushes that carried an older version than one already delivered (dropped). Servers never
     * send such pushes; a non-zero count points at a server bug. For monitoring and tests.
     */
    public long olderPushesDropped() {
        return olderPushesDropped.sum();
    }

    /** Delta pushes this client could not apply and answered with a resync (the full list followed). */
    public long deltaResyncs() {
        return deltaResyncs.sum();
    }

    /** This client's identity towards sessions (random, for the life of this client). */
    public String clientId() {
        return clientId;
    }

    /** Connected to a session right now. */
    public boolean isConnected() {
        return connection.isReady();
    }

    /** The session address this client is connected to, if any. */
    public Optional<InetSocketAddress> sessionAddress() {
        return connection.current().map(RpcConnection::remoteAddress);
    }

    /**
     * Publishes values for a service and waits until the registry stored them.
     *
     * @throws RegistryException if the registry refused (bad values, too large) or did not answer
     *                           in time; the publication is then withdrawn (not registered)
     */
    public Publication publish(DataInfoId id, List<String> values) {
        return (Publication) await(publishAsync(id, values), "publish " + id);
    }

    /**
     * Publishes values for a service without waiting: the future completes with the publication
     * once the registry stored it, or fails with a {@link RegistryException} (the publication is
     * then withdrawn, as with {@link #publish}). Many publishes may be in flight on the one
     * session connection; when {@link RegistryClientConfig#maxPendingRegistrations()} are, this
     * call blocks until one is answered. The future completes on a client I/O thread: keep its
     * callbacks short and never block in them (a publish there could wait for its own answer).
     */
    public CompletableFuture<Publication> publishAsync(DataInfoId id, List<String> values) {
        PublicationImpl p = new PublicationImpl(id, RegisterIds.next(), values);
        publications.put(p.registerId, p);
        return registerOrWithdraw(p, "publish " + id, () -> publications.remove(p.registerId),
                new UnregisterPublisherRequest(id, p.registerId)).thenApply(ack -> p);
    }

    /** {@link #publish(DataInfoId, List)} with the default group and instance. */
    public Publication publish(String dataId, String... values) {
        return publish(DataInfoId.of(dataId), List.of(values));
    }

    /**
     * Subscribes to a service. The observer receives the current list right after the
     * registry acknowledged, and every change after that.
     */
    public Subscription subscribe(DataInfoId id, SubscriptionObserver observer) {
        SubscriptionImpl s = new SubscriptionImpl(id, RegisterIds.next(), observer);
        subscriptions.put(s.registerId, s);
        await(registerOrWithdraw(s, "subscribe " + id, () -> subscriptions.remove(s.registerId),
                new UnregisterSubscriberRequest(id, s.registerId)), "subscribe " + id);
        return s;
    }

    /**
     * One page of the catalog: ids with at least one publisher that the query matches (sorted),
     * with their publisher counts, answered from every slot leader. Page on with
     * {@code query.after(lastId)} while {@link dev.registry.common.protocol.CatalogPage#more()}.
     */
    public dev.registry.common.protocol.CatalogPage catalog(dev.registry.common.protocol.CatalogQuery query) {
        query.validated();
        return (dev.registry.common.protocol.CatalogPage) await(request(query), "catalog " + query);
    }

    /** Every id of {@code group} that has publishers now (all pages). */
    public List<DataInfoId> services(String group) {
        List<DataInfoId> all = new ArrayList<>();
        dev.registry.common.protocol.CatalogQuery q = dev.registry.common.protocol.CatalogQuery.ofGroup(group);
        while (true) {
            dev.registry.common.protocol.CatalogPage page = catalog(q);
            all.addAll(page.ids());
            if (!page.more() || page.ids().isEmpty()) {
                return all;
            }
            q = q.after(page.ids().get(page.ids().size() - 1));
        }
    }

    /**
     * Watches which ids of {@code group} have publishers: the observer gets the list now and after
     * every change, pushed by the session (within tens of milliseconds of the change on the data
     * servers), and kept across reconnects. One watch per group and client.
     */
    public CatalogWatch watchCatalog(String group, CatalogObserver observer) {
        CatalogWatches.WatchImpl watch = (CatalogWatches.WatchImpl) catalogWatches.start(group, observer, this::request);
        try {
            Object answer = await(request(new dev.registry.common.protocol.CatalogWatchRequest(group, true)),
                    "watch catalog " + group);
            watch.deliver((dev.registry.common.protocol.CatalogChanged) answer);
        } catch (RegistryException e) {
            watch.close();
            throw e;
        }
        return watch;
    }

    /** A request to the session: now if connected, else once connected (within the request timeout). */
    private CompletableFuture<Object> request(Object message) {
        Optional<RpcConnection> c = connection.current();
        return c.isPresent() ? c.get().call(message, config.requestTimeout()) : waitForConnectionThen(() -> message);
    }

    /**
     * Sends a registration, at most {@link RegistryClientConfig#maxPendingRegistrations()} at a time;
     * failed means not registered: it is withdrawn everywhere (the caller has no handle).
     */
    private CompletableFuture<Object> registerOrWithdraw(Object registration, String what, Runnable forget,
                                                         Object unregister) {
        try {
            pending.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            forget.run();
            return CompletableFuture.failedFuture(new RegistryException(what + " interrupted", e));
        }
        CompletableFuture<Object> result = new CompletableFuture<>();
        send(registration).orTimeout(config.requestTimeout().toMillis() + 500, TimeUnit.MILLISECONDS)
                .whenComplete((ack, error) -> {
                    pending.release();
                    if (error == null) {
                        result.complete(ack);
                        return;
                    }
                    forget.run();
                    // Also while a reconnect re-registers everything: that may already have sent this
                    // registration on the new connection, and the withdrawal must follow it there
                    // (else it stays on the session as long as the connection: chaos seeds 4003, 4008).
                    connection.latestActive().ifPresent(c -> c.call(unregister));
                    result.completeExceptionally(failure(what, error));
                });
        return result;
    }

    private RegistryException failure(String what, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof RegistryException r) {
            return r;
        }
        if (cause instanceof TimeoutException) {
            return new RegistryException(what + " got no answer within " + config.requestTimeout().toMillis() + " ms",
                    cause);
        }
        return new RegistryException(what + " failed: " + cause.getMessage(), cause);
    }

    // ---- wire ----

    private CompletableFuture<?> registerAll(RpcConnection conn) {
        if (config.accessKey() == null) {
            return registerAllAuthenticated(conn);
        }
        // First prove the app's credentials: a signature over a fresh timestamp and nonce, never the secret.
        long now = System.currentTimeMillis();
        String nonce = RegisterIds.next();
        return conn.call(new dev.registry.common.protocol.AuthRequest(config.accessKey(), now, nonce,
                        dev.registry.common.auth.AuthSignature.sign(config.secretKey(), config.accessKey(), now, nonce)),
                        dev.registry.common.protocol.AuthResult.class, config.requestTimeout())
                .handle((result, error) -> {
                    if (error != null) {
                        RegistryException refused = failure("authentication with session " + conn.remoteAddress(), error);
                        authFailure = refused; // the reconnect logs it, once per attempt
                        throw new java.util.concurrent.CompletionException(refused);
                    }
                    authFailure = null;
                    return result;
                })
                .thenCompose(result -> registerAllAuthenticated(conn));
    }

    private CompletableFuture<?> registerAllAuthenticated(RpcConnection conn) {
        localIp = conn.localAddress().getAddress().getHostAddress();
        // First: who this is and which links it lost lately (a session damps a flapping client). A
        // call, not a one-way message: its answer proves the session took the connection (a full
        // session closes it at once), so the connection is not reported ready before that.
        CompletableFuture<Object> hello = conn.call(new ClientHello(clientId, linkLosses.agesMillis())
                        .withFeatures(ClientHello.FEATURE_PUSH_DELTAS),
                config.requestTimeout()).exceptionally(error -> {
                    RpcException r = RpcException.unwrap(error);
                    if (r != null && r.code() == dev.registry.common.rpc.ErrorCode.NO_HANDLER) {
                        return null; // a session of an older build: no damping there, nothing else lost
                    }
                    throw new java.util.concurrent.CompletionException(error);
                }).thenApply(answer -> {
                    // Set before the connection is reported ready: every publish on it can be batched.
                    if (answer instanceof Integer features && (features & ClientHello.SESSION_REGISTER_BATCHES) != 0) {
                        batcher = new PublishBatcher(conn, config.requestTimeout(),
                                Math.min(config.maxPendingRegistrations(), MAX_PUBLISH_BATCH));
                    }
                    return answer;
                });
        List<CompletableFuture<?>> all = new ArrayList<>();
        all.add(hello);
        // Publications go once the hello answered whether the session takes batches, and on the I/O
        // thread: a withdrawal issued meanwhile on another thread is written after them, not before.
        all.add(hello.thenComposeAsync(answer -> reRegisterPublications(conn), conn.ioExecutor()));
        for (SubscriptionImpl s : subscriptions.values()) {
            all.add(conn.call(s.toRequest(), RegisterAck.class, config.requestTimeout()));
        }
        all.addAll(catalogWatches.rewatchAll(conn, config.requestTimeout()));
        if (!publications.isEmpty() || !subscriptions.isEmpty()) {
            log.info("re-registering {} publishers and {} subscribers with session {}", publications.size(),
                    subscriptions.size(), conn.remoteAddress());
        }
        if (config.discoverSessions()) {
            learnSessions(conn);
        }
        CompletableFuture<Void> done = CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
        // A link counts as lost only once it was up: a connect the network resets at once is a failed attempt.
        done.thenRun(() -> conn.closeFuture().thenRun(() -> {
            if (!moving.remove(conn) && !closed) {
                linkLosses.record();
            }
        }));
        return done;
    }

    private CompletableFuture<?> reRegisterPublications(RpcConnection conn) {
        List<Publisher> all = new ArrayList<>(publications.size());
        for (PublicationImpl p : publications.values()) {
            all.add(p.toRequest().publisher());
        }
        PublishBatcher b = batcher;
        if (b != null && b.connection() == conn) {
            return PublishBatcher.registerAll(conn, all, config.requestTimeout(), MAX_PUBLISH_BATCH);
        }
        List<CompletableFuture<?>> calls = new ArrayList<>(all.size());
        for (Publisher p : all) {
            calls.add(conn.call(new RegisterPublisherRequest(p), RegisterAck.class, config.requestTimeout()));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
    }

    /** The session is draining or rebalancing: move on (to its suggestion, if any); everything is re-registered there. */
    private Object onReconnectRequest(RpcConnection conn, ReconnectRequest request) {
        log.info("session {} asked to reconnect elsewhere: {}", conn.remoteAddress(), request);
        moving.add(conn);
        HostAndPort target = dev.registry.common.rpc.Addresses.hostAndPortOrNull(request.target());
        if (target != null) {
            connection.moveTo(target);
        } else {
            conn.close();
        }
        return null;
    }

    /** Asks the session for every live session: reachable even when the configured addresses (a balancer) are not. */
    private void learnSessions(RpcConnection conn) {
        conn.call(new SessionListRequest(), SessionList.class, config.requestTimeout()).whenComplete((list, error) -> {
            if (error != null) {
                log.debug("session {} did not list the sessions: {}", conn.remoteAddress(), error.getMessage());
                return;
            }
            List<HostAndPort> sessions = new ArrayList<>();
            for (String s : list.sessions()) {
                HostAndPort a = dev.registry.common.rpc.Addresses.hostAndPortOrNull(s);
                if (a != null) {
                    sessions.add(a);
                }
            }
            connection.setDiscovered(sessions);
        });
    }

    /** Every session address this client would try: the configured ones first, then those it learnt. */
    public List<HostAndPort> knownSessions() {
        return connection.knownAddresses();
    }

    private CompletableFuture<Object> send(Object registration) {
        java.util.function.Supplier<Object> request = () -> registration instanceof PublicationImpl p ? p.toRequest()
                : ((SubscriptionImpl) registration).toRequest();
        Optional<RpcConnection> c = connection.current();
        if (c.isEmpty()) {
            // Registered locally; registerAll sends it on (re)connect. Wait for that.
            return waitForConnectionThen(request);
        }
        PublishBatcher b = batcher;
        if (b != null && b.connection() == c.get() && registration instanceof PublicationImpl p) {
            return b.submit(p.toRequest().publisher());
        }
        return c.get().call(request.get(), config.requestTimeout());
    }

    /** The configured IP, else this host's address on the session connection (not a balancer's, as the session would see). */
    private String ip() {
        return config.ip() != null ? config.ip() : localIp;
    }

    private CompletableFuture<Object> waitForConnectionThen(java.util.function.Supplier<Object> request) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            RegistryException refused = authFailure;
            if (closed) {
                result.completeExceptionally(new RegistryException("client closed", null));
            } else if (refused != null && !connection.isReady()) {
                result.completeExceptionally(refused); // retrying will not help until the credentials change
            } else if (connection.isReady()) {
                connection.call(request.get(), config.requestTimeout()).whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(r);
                    }
                });
            } else if (System.nanoTime() > deadline) {
                result.completeExceptionally(new RpcException(dev.registry.common.rpc.ErrorCode.CONNECTION_CLOSED,
                        "no session of " + config.sessionServers() + " reachable"));
            } else {
                rpc.scheduler().schedule(poll[0], 50, TimeUnit.MILLISECONDS);
            }
        };
        poll[0].run();
        return result;
    }

    private Object await(CompletableFuture<?> f, String what) {
        try {
            return f.get(config.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(what + " interrupted", e);
        } catch (ExecutionException e) {
            throw failure(what, e.getCause());
        } catch (TimeoutException e) {
            throw failure(what, e);
        }
    }

    private Object onPush(RpcConnection conn, PushRequest push) {
        if (push.isDelta()) {
            boolean resync = false;
            for (String id : push.subscriberIds()) {
                SubscriptionImpl s = subscriptions.get(id);
                if (s != null && !s.applyDelta(push)) {
                    resync = true; // it does not hold the base: the session sends the full list next
                }
            }
            if (resync) {
                deltaResyncs.increment();
            }
            return resync ? PushAck.resync(push.version()) : new PushAck(push.version());
        }
        LinkedHashMap<String, List<String>> byZone = new LinkedHashMap<>();
        if (push.valuesByZone() != null) {
            push.valuesByZone().forEach((zone, values) -> byZone.put(zone, List.copyOf(values)));
        }
        SubscriptionData data = dataOf(push.dataInfoId(), push.version(), byZone);
        for (String id : push.subscriberIds()) {
            SubscriptionImpl s = subscriptions.get(id);
            if (s != null) {
                s.deliver(data, byZone);
            }
        }
        return new PushAck(push.version());
    }

    /** What observers get: every value in zone order, and the values by zone. */
    private static SubscriptionData dataOf(DataInfoId id, long version, LinkedHashMap<String, List<String>> byZone) {
        List<String> all = new ArrayList<>();
        byZone.values().forEach(all::addAll);
        return new SubscriptionData(id, version, List.copyOf(all), Map.copyOf(byZone));
    }

    @Override
    public void close() {
        closed = true;
        connection.close();
        rpc.close();
    }

    // ---- handles ----

    /**
     * Forgets a registration (no re-registration after a reconnect) and, if connected, tells the
     * session; a second call does nothing. Disconnected, the session drops it with the connection.
     */
    private void unregisterFrom(Map<String, ?> registrations, String registerId, Object request, DataInfoId id) {
        if (registrations.remove(registerId) == null) {
            return;
        }
        Optional<RpcConnection> c = connection.latestActive(); // see registerOrWithdraw
        if (c.isPresent()) {
            await(c.get().call(request, config.requestTimeout()), "unregister " + id);
        }
    }

    private final class PublicationImpl implements Publication {
        private final DataInfoId id;
        private final String registerId;
        private final long registeredAt = System.currentTimeMillis();
        private long version;
        private List<String> values;

        PublicationImpl(DataInfoId id, String registerId, List<String> values) {
            this.id = id;
            this.registerId = registerId;
            this.values = List.copyOf(values);
            this.version = 1;
        }

        synchronized RegisterPublisherRequest toRequest() {
            return new RegisterPublisherRequest(new Publisher(id, registerId, version, values, config.appName(), ip(),
                    config.zone(), registeredAt, null, null));
        }

        @Override
        public DataInfoId dataInfoId() {
            return id;
        }

        @Override
        public String registerId() {
            return registerId;
        }

        @Override
        public synchronized List<String> values() {
            return values;
        }

        @Override
        public void update(List<String> newValues) {
            synchronized (this) {
                values = List.copyOf(newValues);
                version++;
            }
            await(send(this), "update " + id);
        }

        @Override
        public void unregister() {
            unregisterFrom(publications, registerId, new UnregisterPublisherRequest(id, registerId), id);
        }
    }

    private final class SubscriptionImpl implements Subscription {
        private final DataInfoId id;
        private final String registerId;
        private final SubscriptionObserver observer;
        private volatile SubscriptionData current;
        /** The lists of {@code current} in the session's zone order (delta pushes splice them). Guarded by this. */
        private LinkedHashMap<String, List<String>> zones;
        /**
         * The value hashes of {@code zones}, computed at the first delta and then kept up to date
         * by hashing only inserted values: the check of a delta's fingerprint costs what the
         * change costs, not what the list costs. Guarded by this.
         */
        private LinkedHashMap<String, long[]> zoneHashes;
        private final java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);

        SubscriptionImpl(DataInfoId id, String registerId, SubscriptionObserver observer) {
            this.id = id;
            this.registerId = registerId;
            this.observer = observer;
        }

        RegisterSubscriberRequest toRequest() {
            SubscriptionData held = current;
            return new RegisterSubscriberRequest(new Subscriber(id, registerId, config.appName(), ip(), config.zone(),
                    System.currentTimeMillis()), held == null ? 0 : held.version());
        }

        /**
         * A delta push: its splices applied to the lists this subscription holds. False when it
         * does not hold the push's base version, or the result's fingerprint is not the session's
         * (the session then pushes the full list); true when applied or already superseded.
         */
        synchronized boolean applyDelta(PushRequest push) {
            SubscriptionData last = current;
            if (last != null && push.version() <= last.version()) {
                return true; // it holds this version or a newer one
            }
            if (last == null || zones == null || last.version() != push.baseVersion()) {
                return false;
            }
            if (zoneHashes == null) {
                zoneHashes = PushDeltas.hashes(zones);
            }
            LinkedHashMap<String, List<String>> next;
            LinkedHashMap<String, long[]> nextHashes;
            try {
                next = PushDeltas.apply(zones, push.splices());
                nextHashes = PushDeltas.applyToHashes(zoneHashes, push.splices());
            } catch (IllegalArgumentException e) {
                return false;
            }
            if (ContentFingerprint.ofHashes(nextHashes) != push.fingerprint()) {
                return false;
            }
            next.replaceAll((zone, values) -> List.copyOf(values));
            deliver(dataOf(id, push.version(), next), next);
            zoneHashes = nextHashes;
            return true;
        }

        /** Versions never go backwards and a repeated version is not delivered twice. */
        synchronized void deliver(SubscriptionData data, LinkedHashMap<String, List<String>> orderedZones) {
            SubscriptionData last = current;
            if (last != null && data.version() <= last.version()) {
                if (data.version() < last.version()) {
                    olderPushesDropped.increment(); // a server sent an older version: counted, never delivered
                }
                return;
            }
            current = data;
            zones = orderedZones;
            zoneHashes = null; // recomputed at the next delta (a delta path sets its own after this)
            try {
                observer.onUpdate(data);
            } catch (RuntimeException e) {
                log.error("subscription observer for {} failed", id, e);
            } finally {
                first.countDown(); // after the observer: a waiter sees what the observer was given
            }
        }

        @Override
        public Optional<SubscriptionData> awaitFirst(java.time.Duration timeout) throws InterruptedException {
            first.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.ofNullable(current);
        }

        @Override
        public DataInfoId dataInfoId() {
            return id;
        }

        @Override
        public String registerId() {
            return registerId;
        }

        @Override
        public Optional<SubscriptionData> current() {
            return Optional.ofNullable(current);
        }

        @Override
        public void unregister() {
            unregisterFrom(subscriptions, registerId, new UnregisterSubscriberRequest(id, registerId), id);
        }
    }

}
