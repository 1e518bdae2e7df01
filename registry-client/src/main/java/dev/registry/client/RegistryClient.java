package dev.registry.client;

import com.google.common.net.HostAndPort;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.protocol.ReconnectRequest;
import dev.registry.common.protocol.UnregisterPublisherRequest;
import dev.registry.common.protocol.UnregisterSubscriberRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.random.RandomSource;
import dev.registry.common.rpc.Backoff;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.ReconnectingConnection;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

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
    /** How long a registration whose connection closed waits before it is sent again. */
    private static final long RESEND_AFTER_CLOSE_MILLIS = 50;
    private final LongAdder olderPushesDropped = new LongAdder();
    /** Permits for registrations waiting for the session's answer (back-pressure of publishAsync). */
    private final Semaphore pending;
    /** Registration ids, the client id and auth nonces: secure unless a seed was configured. */
    private final RegisterIds ids;
    /** Who this client is to sessions, for the life of this object: its lost links are damped by it. */
    private final String clientId;
    private final CatalogWatches catalogWatches = new CatalogWatches();
    private final PushReceiver pushes = new PushReceiver(subscriptions);
    private final SessionHandshake handshake;
    private final ConnectionWait connectionWait;

    private RegistryClient(RegistryClientConfig config) {
        this.config = config;
        // All of this client's randomness follows from one seed (issue #21): a simulator can replay it.
        RandomSource random = RandomSource.of(config.randomSeed());
        log.debug("random seed {} ({})", random.seed(), random.isSeeded() ? "configured" : "drawn");
        this.ids = new RegisterIds(random.forIds("client.ids"));
        this.clientId = ids.nextId();
        this.pending = new Semaphore(config.maxPendingRegistrations());
        HandlerRegistry handlers = new HandlerRegistry()
                .register(PushRequest.class, pushes::onPush)
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
                new Backoff(config.reconnectMin(), config.reconnectMax(), random.forComponent("client.reconnect-backoff")),
                firstSession(random, config.sessionServers().size()), this::onConnected);
        this.handshake = new SessionHandshake(config, clientId, ids, publications, subscriptions, catalogWatches,
                connection::setDiscovered, () -> closed);
        this.connectionWait = new ConnectionWait(connection, rpc.scheduler(), config, handshake::authFailure,
                () -> closed);
    }

    /** Which configured session the client tries first: a random one, so clients spread over them. */
    static int firstSession(RandomSource random, int sessions) {
        return random.forComponent("client.first-session").nextInt(sessions);
    }

    /** Every (re)connect: the connection counts as ready once the handshake re-registered everything. */
    private CompletableFuture<?> onConnected(RpcConnection conn) {
        return handshake.registerAll(conn);
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
            RegistryException refused = client.handshake.authFailure();
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
        return pushes.deltaResyncs();
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
        String registerId = ids.nextId();
        PublicationImpl p = new PublicationImpl(id, registerId, values, this::sendUpdate,
                () -> unregisterFrom(publications, registerId, new UnregisterPublisherRequest(id, registerId), id));
        publications.put(registerId, p);
        return registerOrWithdraw(p, "publish " + id, () -> publications.remove(registerId),
                new UnregisterPublisherRequest(id, registerId)).thenApply(ack -> p);
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
        String registerId = ids.nextId();
        SubscriptionImpl s = new SubscriptionImpl(id, registerId, observer, olderPushesDropped,
                () -> unregisterFrom(subscriptions, registerId, new UnregisterSubscriberRequest(id, registerId), id));
        subscriptions.put(registerId, s);
        await(registerOrWithdraw(s, "subscribe " + id, () -> subscriptions.remove(registerId),
                new UnregisterSubscriberRequest(id, registerId)), "subscribe " + id);
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
        return c.isPresent() ? c.get().call(message, config.requestTimeout()) : connectionWait.thenCall(() -> message);
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
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        sendSurvivingReconnect(registration, deadline)
                .orTimeout(config.requestTimeout().toMillis() + 500, TimeUnit.MILLISECONDS)
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
                    withdrawNowOrLater(unregister);
                    result.completeExceptionally(failure(what, error));
                });
        return result;
    }

    private RegistryException failure(String what, Throwable error) {
        return RegistryException.failure(what, error, config.requestTimeout());
    }

    // ---- wire ----

    /** The session is draining or rebalancing: move on (to its suggestion, if any); everything is re-registered there. */
    private Object onReconnectRequest(RpcConnection conn, ReconnectRequest request) {
        log.info("session {} asked to reconnect elsewhere: {}", conn.remoteAddress(), request);
        handshake.markMoving(conn);
        HostAndPort target = dev.registry.common.rpc.Addresses.hostAndPortOrNull(request.target());
        if (target != null) {
            connection.moveTo(target);
        } else {
            conn.close();
        }
        return null;
    }

    /** Every session address this client would try: the configured ones first, then those it learnt. */
    public List<HostAndPort> knownSessions() {
        return connection.knownAddresses();
    }

    /**
     * Sends a registration; if its connection closes before the answer (the session asked this
     * client to move, or went away), sends it again on the next connection until the deadline.
     * The registration is still held here, so a move must not fail it; registering it twice is
     * harmless (same registerId and version), and the old session withdraws its copy with the
     * connection.
     */
    private CompletableFuture<Object> sendSurvivingReconnect(Object registration, long deadlineNanos) {
        return send(registration).handle((ack, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(ack);
            }
            dev.registry.common.rpc.RpcException lost = dev.registry.common.rpc.RpcException.unwrap(error);
            if (lost == null || lost.code() != dev.registry.common.rpc.ErrorCode.CONNECTION_CLOSED || closed
                    || System.nanoTime() - deadlineNanos >= 0) {
                return CompletableFuture.<Object>failedFuture(error);
            }
            // A short pause: the closed connection may still be the current one for a moment.
            return CompletableFuture.runAsync(() -> { },
                            CompletableFuture.delayedExecutor(RESEND_AFTER_CLOSE_MILLIS, TimeUnit.MILLISECONDS))
                    .thenCompose(x -> sendSurvivingReconnect(registration, deadlineNanos));
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Object> send(Object registration) {
        Supplier<Object> request = () -> registration instanceof PublicationImpl p ? p.toRequest(config, handshake.ip())
                : ((SubscriptionImpl) registration).toRequest(config, handshake.ip());
        Optional<RpcConnection> c = connection.current();
        if (c.isEmpty()) {
            // Registered locally; registerAll sends it on (re)connect. Wait for that.
            return connectionWait.thenCall(request);
        }
        PublishBatcher b = handshake.batcher();
        if (b != null && b.connection() == c.get() && registration instanceof PublicationImpl p) {
            return b.submit(p.toRequest(config, handshake.ip()).publisher());
        }
        return c.get().call(request.get(), config.requestTimeout());
    }

    /** {@link Publication#update}: the new values sent, waiting for the session's answer. */
    private void sendUpdate(PublicationImpl p) {
        await(send(p), "update " + p.dataInfoId());
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

    @Override
    public void close() {
        closed = true;
        connection.close();
        rpc.close();
    }

    // ---- handles ----

    /**
     * Forgets a registration (no re-registration after a reconnect) and, if connected, tells the
     * session; a second call does nothing. Disconnected, a session still alive drops it with the
     * connection, but one that died cannot: the slot leader keeps what it wrote until it gives the
     * session up, so an unregistered publication is withdrawn through the next connection too.
     */
    private void unregisterFrom(Map<String, ?> registrations, String registerId, Object request, DataInfoId id) {
        if (registrations.remove(registerId) == null) {
            return;
        }
        withdrawNowOrLater(request).ifPresent(call -> await(call, "unregister " + id));
    }

    /**
     * Sends an unregister on the newest live connection (see registerOrWithdraw: a reconnect may
     * have re-sent the registration there already); without one, a publisher's unregister goes
     * with the next handshake, since the slot leader may hold it through a session now gone.
     *
     * @return the call, if one went out now
     */
    private Optional<CompletableFuture<Object>> withdrawNowOrLater(Object unregister) {
        Optional<RpcConnection> c = connection.latestActive();
        if (c.isPresent()) {
            return Optional.of(c.get().call(unregister, config.requestTimeout()));
        }
        if (unregister instanceof UnregisterPublisherRequest u) {
            handshake.withdrawLater(u);
        }
        return Optional.empty();
    }
}
