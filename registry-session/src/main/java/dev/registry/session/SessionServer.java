package dev.registry.session;

import dev.registry.common.metrics.PrometheusText;
import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.admin.SlotTableJson;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;
import dev.registry.common.protocol.DataChangeNotice;
import dev.registry.common.protocol.RegisterAck;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.ReconnectRequest;
import dev.registry.common.protocol.RegisterSubscriberRequest;
import dev.registry.common.protocol.SessionList;
import dev.registry.common.protocol.SessionListRequest;
import dev.registry.common.protocol.SessionServerHeartbeat;
import dev.registry.common.protocol.UnregisterPublisherRequest;
import dev.registry.common.protocol.UnregisterSubscriberRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.serialize.Serializer;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.balance.ConnectionBalancer;
import dev.registry.session.bolt.SofaClientPort;
import dev.registry.session.link.DataServerLinks;
import dev.registry.session.publish.PublisherSyncer;
import dev.registry.session.publish.SlotReconciler;
import dev.registry.session.push.PushEngine;
import dev.registry.session.push.PushTarget;
import dev.registry.session.push.RpcPushTarget;
import dev.registry.session.push.SubscriberRegistry;
import dev.registry.session.store.PublisherKey;
import dev.registry.session.store.SessionPublisherStore;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bootstrap of the session role: the client-facing server. Keeps its clients' publishers (and
 * syncs them to slot leaders), keeps subscribers and pushes them every change. Start order:
 * client port (its address is the session id; requests are refused until started), meta
 * link, data links, syncer, push engine, reconciler, timers, admin; stop in reverse.
 */
public final class SessionServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionServer.class);
    static final int MAX_REGISTER_ID_LENGTH = 256;
    static final int MAX_VALUES = 1024;
    static final int MAX_VALUE_LENGTH = 16 * 1024;

    private final SessionServerConfig config;
    private final Clock clock;
    private final Serializer serializer = WireClasses.serializer();
    private final SlotTableHolder tables;
    private final SessionPublisherStore publishers;
    private final SubscriberRegistry<PushTarget> subscribers = new SubscriberRegistry<>();
    private ScheduledExecutorService scheduler;
    private MetaClient meta;
    private RpcClient dataClient;
    private DataServerLinks links;
    private PublisherSyncer syncer;
    private PushEngine push;
    private SlotReconciler reconciler;
    /** Which ids have publishers: queries fanned out to the data servers, watched groups kept live. */
    private volatile dev.registry.session.catalog.SessionCatalog catalog;
    private volatile dev.registry.session.damping.ClientLinkDamping damping;
    /** Client authentication: null when off. */
    private final dev.registry.session.auth.ClientAuthentication authentication;
    /** Per-connection caps of both client ports. */
    private final dev.registry.session.limits.ClientLimits clientLimits;
    /** Who may change a registration: its connection, or the same client on another one. */
    private final dev.registry.session.store.RegistrationOwnership ownership =
            new dev.registry.session.store.RegistrationOwnership(new ClientConnections());
    private RpcServer clientServer;
    private volatile AdminHttpServer admin;
    private SofaClientPort sofa;
    private String sessionId;
    private volatile boolean closing;
    private volatile boolean draining;
    /** Connections asked to move elsewhere: their publishers are withdrawn only after a grace period. */
    private final java.util.Set<String> migrating = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final Duration MIGRATION_GRACE = Duration.ofSeconds(10);
    private volatile boolean started;
    private final java.util.Random balanceRandom = new java.util.Random();

    /** The certificate this session's admin port serves HTTPS with: the node's, else the client port's; null = HTTP. */
    private dev.registry.common.tls.TlsSettings adminTls() {
        return config.clusterTls() != null ? config.clusterTls() : config.clientRpc().tls();
    }

    /** Owned by the scheduler thread (balancing rounds). */
    private final ConnectionBalancer.Damper balanceDamper = new ConnectionBalancer.Damper();
    private final java.util.concurrent.atomic.LongAdder clientsMoved = new java.util.concurrent.atomic.LongAdder();

    public SessionServer(SessionServerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.tables = new SlotTableHolder(config.slotCount());
        this.publishers = new SessionPublisherStore(config.slotCount());
        this.clientLimits = new dev.registry.session.limits.ClientLimits(config.clientLimits(), System::nanoTime);
        this.authentication = new dev.registry.session.auth.ClientAuthentication(config.appsFile(), clock::millis);
    }

    public synchronized SessionServer start() {
        scheduler = Executors.newScheduledThreadPool(1, new DefaultThreadFactory("session-timer", true));
        HandlerRegistry clientHandlers = new HandlerRegistry()
                .register(RegisterPublisherRequest.class, this::onRegisterPublisher)
                .register(UnregisterPublisherRequest.class, this::onUnregisterPublisher)
                .register(RegisterSubscriberRequest.class, this::onRegisterSubscriber)
                .register(UnregisterSubscriberRequest.class, this::onUnregisterSubscriber)
                .register(SessionListRequest.class, (conn, request) -> new SessionList(sessionsTakingClients()))
                .register(dev.registry.common.protocol.ClientHello.class, this::onClientHello)
                .register(dev.registry.common.protocol.AuthRequest.class, this::onAuth)
                .register(dev.registry.common.protocol.CatalogQuery.class, this::onCatalogQuery)
                .register(dev.registry.common.protocol.CatalogWatchRequest.class, this::onCatalogWatch);
        // Bind first: the session's identity is its advertised client address.
        // The client port's connection and queue caps are client limits (ClientLimits.Settings).
        RpcConfig clientRpc = config.clientRpc().withLimits(config.clientLimits().maxQueuedPerConnection(),
                config.clientLimits().maxConnections());
        clientServer = new RpcServer("session", clientRpc, serializer, clientHandlers, new ConnectionListener() {
            @Override
            public void onDisconnected(RpcConnection connection) {
                onClientGone(connection);
            }
        });
        int port = clientServer.start(config.bindHost(), config.port()).getPort();
        sessionId = config.advertiseHost() + ":" + port;

        meta = new MetaClient("session-" + port, config.metaAddresses(), serializer, tables,
                () -> new SessionServerHeartbeat(sessionId, sessionId, tables.epoch(), clientLoad(), adminAddress()),
                config.heartbeatInterval(), config.clusterTls());
        HandlerRegistry dataHandlers = new HandlerRegistry()
                .register(DataChangeNotice.class, (conn, notice) -> {
                    push.onNotice(notice.dataInfoId(), notice.version());
                    dev.registry.session.catalog.SessionCatalog c = catalog;
                    if (c != null) {
                        c.onNotice(notice.dataInfoId(), notice.publisherCount());
                    }
                    return null;
                });
        dataClient = new RpcClient("session-" + port + "-data", RpcConfig.clientDefaults()
                .withHeartbeat(Duration.ofSeconds(3), Duration.ofSeconds(15)).withTls(config.clusterTls()),
                serializer, dataHandlers,
                new ConnectionListener() { });
        links = new DataServerLinks(sessionId, dataClient, tables, meta, scheduler, Duration.ofSeconds(3),
                this::resyncSlotsLedBy);
        syncer = new PublisherSyncer(publishers, links, config.slotCount(), scheduler, config.writeDeadline(),
                Duration.ofSeconds(2));
        push = new PushEngine(subscribers, links, config.slotCount(), config.push(), scheduler, clock);
        damping = new dev.registry.session.damping.ClientLinkDamping(
                new dev.registry.session.damping.FlapDamper(config.damping(), clock::millis), publishers, syncer,
                scheduler);
        reconciler = new SlotReconciler(sessionId, publishers, syncer, links, config.slotCount(), config.writeDeadline());
        catalog = new dev.registry.session.catalog.SessionCatalog(tables, links, scheduler);
        catalog.start();
        // Off the meta link's I/O thread; the single scheduler thread keeps table changes in order.
        tables.addListener((old, now) -> scheduler.execute(() -> onSlotTableChange(old, now)));
        // Client-off and push switches set on meta (kept in its database) apply to every session.
        meta.addSwitchListener((before, after) -> scheduler.execute(() -> applyMetaSwitches(before, after)));
        meta.start();
        scheduler.scheduleWithFixedDelay(this::reconcile, config.reconcileInterval().toMillis(),
                config.reconcileInterval().toMillis(), TimeUnit.MILLISECONDS);
        // One slot per tick, so a sweep of every slot takes one interval: all slots at once queued
        // hundreds of digests ahead of client writes on the data links (the p99.9 of a push).
        long slotTickMicros = Math.max(1, config.slotSyncInterval().toNanos() / 1000 / config.slotCount());
        scheduler.scheduleWithFixedDelay(this::syncNextSlot, slotTickMicros, slotTickMicros, TimeUnit.MICROSECONDS);
        scheduler.scheduleWithFixedDelay(() -> damping.evictIdle(), 60, 60, TimeUnit.SECONDS);
        authentication.startReloading(scheduler);
        if (config.balance().enabled()) {
            long every = config.balance().interval().toMillis();
            scheduler.scheduleWithFixedDelay(this::balanceClients, every, every, TimeUnit.MILLISECONDS);
        }
        if (config.sofaBoltPort() >= 0) {
            // SOFARegistry's own Java client, on the same stores, syncer and push engine (docs/sofa-compatibility.md).
            sofa = new SofaClientPort(SofaClientPort.Settings.defaults(config.clientRpc().maxFrameBytes(),
                    config.clientRpc().workerThreads(), config.clientRpc().writeBufferHighBytes(), MIGRATION_GRACE,
                    config.clientRpc().tls()),
                    new SofaClientPort.Session(sessionId, config.advertiseHost(), config.slotCount(), publishers,
                            syncer, subscribers, push, links, scheduler, clock, () -> clientServer.connections().size(),
                            () -> {
                                var last = meta.lastResponse();
                                return last == null ? null : last.sessionServers();
                            }, () -> !closing, damping, ownership, clientLimits, authentication));
            sofa.start(config.bindHost(), config.sofaBoltPort());
        }
        if (config.adminPort() >= 0) {
            // HTTPS with the node certificate (peers trust the cluster CA), else the client port's.
            admin = new AdminHttpServer("session", config.adminToken(), adminTls()).serveConsole();
            registerAdminRoutes(admin);
            admin.start(config.adminBindHost(), config.adminPort());
        }
        started = true;
        log.info("session server {} started: client port {}, admin http port {}, SOFARegistry bolt port {}, "
                + "client balance {}", sessionId, port, admin == null ? "off" : admin.port(),
                sofa == null ? "off" : sofa.port(), config.balance().enabled()
                        ? "every " + config.balance().interval().toMillis() + " ms" : "off");
        return this;
    }

    // ---- client requests ----

    /** The client port opens before the rest is wired (its port is the session id): refuse until then. */
    private void checkStarted() {
        if (!started) {
            throw new dev.registry.common.rpc.RpcException(dev.registry.common.rpc.ErrorCode.UNAVAILABLE,
                    "session is starting; retry");
        }
    }

    private Object onRegisterPublisher(RpcConnection connection, RegisterPublisherRequest request) {
        checkStarted();
        Publisher publisher = validate(request.publisher());
        String ip = publisher.ip() != null ? publisher.ip()
                : dev.registry.common.protocol.WireInterner.string(connection.remoteAddress().getAddress().getHostAddress());
        clientLimits.checkRate(connection.id());
        // With authentication on, a registration belongs to the authenticated app, not the one the client names.
        String app = authentication.appToPublish(connection.id(), publisher.dataInfoId(), publisher.appName());
        Publisher stamped = new Publisher(publisher.dataInfoId(), publisher.registerId(), publisher.version(),
                publisher.values(), app, ip, publisher.zone(),
                publisher.registeredAtMillis() > 0 ? publisher.registeredAtMillis() : clock.millis(),
                sessionId, connection.id());
        PublisherKey key = new PublisherKey(stamped.dataInfoId(), stamped.registerId());
        String holder = publishers.holderOf(key);
        checkOwner("publisher", key.registerId(), holder, connection);
        if (!connection.id().equals(holder)) {
            clientLimits.checkPublishers(publishers.countOn(connection.id()));
        }
        SessionPublisherStore.PutOutcome outcome = publishers.put(stamped);
        if (outcome == SessionPublisherStore.PutOutcome.STALE) {
            throw new IllegalArgumentException("publisher " + key.registerId() + " version " + publisher.version()
                    + " is older than the registered one");
        }
        if (!connection.isActive()) {
            // The client left while this request waited in its queue: what it registered leaves with it.
            Publisher orphan = publishers.remove(key, connection.id());
            if (orphan != null) {
                syncer.syncRemoval(orphan);
            }
            throw new dev.registry.common.rpc.RpcException(dev.registry.common.rpc.ErrorCode.CONNECTION_CLOSED,
                    "client connection closed");
        }
        return syncer.sync(key).thenApply(version -> new RegisterAck(key.registerId(), version));
    }

    /** Checks a client's publisher (both client ports use it); IllegalArgumentException names the problem. */
    public static Publisher validate(Publisher p) {
        if (p == null || p.dataInfoId() == null) {
            throw new IllegalArgumentException("publisher with a dataInfoId is required");
        }
        p.dataInfoId().validate();
        checkRegisterId(p.registerId());
        if (p.values().size() > MAX_VALUES) {
            throw new IllegalArgumentException("a publisher may carry at most " + MAX_VALUES + " values");
        }
        for (String v : p.values()) {
            if (v == null || v.length() > MAX_VALUE_LENGTH) {
                throw new IllegalArgumentException("publisher values must be non-null and at most "
                        + MAX_VALUE_LENGTH + " characters");
            }
        }
        return p;
    }

    public static void checkRegisterId(String registerId) {
        if (registerId == null || registerId.isBlank() || registerId.length() > MAX_REGISTER_ID_LENGTH) {
            throw new IllegalArgumentException("registerId must be 1.." + MAX_REGISTER_ID_LENGTH + " non-blank characters");
        }
    }

    private Object onUnregisterPublisher(RpcConnection connection, UnregisterPublisherRequest request) {
        checkStarted();
        DataInfoId id = requireId(request.dataInfoId());
        checkRegisterId(request.registerId());
        PublisherKey key = new PublisherKey(id, request.registerId());
        clientLimits.checkRate(connection.id());
        authentication.requireApp(connection.id());
        checkOwner("publisher", key.registerId(), publishers.holderOf(key), connection);
        Publisher removed = publishers.remove(key, null);
        if (removed == null) {
            return new RegisterAck(request.registerId(), 0);
        }
        return syncer.syncRemoval(removed).thenApply(v -> new RegisterAck(request.registerId(), v));
    }

    private Object onRegisterSubscriber(RpcConnection connection, RegisterSubscriberRequest request) {
        checkStarted();
        Subscriber s = request.subscriber();
        if (s == null) {
            throw new IllegalArgumentException("subscriber is required");
        }
        requireId(s.dataInfoId());
        checkRegisterId(s.registerId());
        if (s.ip() == null) { // as for publishers: the address it connects from
            s = new Subscriber(s.dataInfoId(), s.registerId(), s.appName(),
                    dev.registry.common.protocol.WireInterner.string(
                            connection.remoteAddress().getAddress().getHostAddress()), s.zone(), s.registeredAtMillis());
        }
        clientLimits.checkRate(connection.id());
        String app = authentication.appToSubscribe(connection.id(), s.dataInfoId(), s.appName());
        if (!java.util.Objects.equals(app, s.appName())) {
            s = new Subscriber(s.dataInfoId(), s.registerId(), app, s.ip(), s.zone(), s.registeredAtMillis());
        }
        PushTarget holder = subscribers.holderOf(s.dataInfoId(), s.registerId());
        checkOwner("subscriber", s.registerId(), holder == null ? null : holder.id(), connection);
        if (holder == null || !holder.id().equals(connection.id())) {
            clientLimits.checkSubscribers(subscribers.countOn(pushTarget(connection)));
        }
        // A client moving from another session says what it holds: nothing older is pushed to it.
        subscribers.add(s, pushTarget(connection), request.knownVersion() > 0 ? request.knownVersion() : -1);
        if (!connection.isActive()) {
            subscribers.removeConnection(new RpcPushTarget(connection)); // closed while this waited
            throw new dev.registry.common.rpc.RpcException(dev.registry.common.rpc.ErrorCode.CONNECTION_CLOSED,
                    "client connection closed");
        }
        push.trigger(s.dataInfoId());
        return new RegisterAck(s.registerId(), 0);
    }

    /** One push target per client connection, kept on it: every subscriber of the connection shares it. */
    private static RpcPushTarget pushTarget(RpcConnection connection) {
        RpcPushTarget target = connection.attachment(RpcPushTarget.class);
        if (target == null) {
            target = new RpcPushTarget(connection); // a racing twin is equal: targets compare by connection
            connection.setAttachment(target);
        }
        return target;
    }

    private Object onUnregisterSubscriber(RpcConnection connection, UnregisterSubscriberRequest request) {
        checkStarted();
        DataInfoId id = requireId(request.dataInfoId());
        checkRegisterId(request.registerId());
        clientLimits.checkRate(connection.id());
        authentication.requireApp(connection.id());
        PushTarget holder = subscribers.holderOf(id, request.registerId());
        checkOwner("subscriber", request.registerId(), holder == null ? null : holder.id(), connection);
        subscribers.remove(id, request.registerId());
        return new RegisterAck(request.registerId(), 0);
    }

    /** Refuses (FORBIDDEN) a change of a registration that another client's open connection holds. */
    private void checkOwner(String what, String registerId, String holderConnectionId, RpcConnection requester) {
        if (!ownership.mayChange(holderConnectionId, requester.id())) {
            throw new dev.registry.common.rpc.RpcException(dev.registry.common.rpc.ErrorCode.FORBIDDEN,
                    dev.registry.session.store.RegistrationOwnership.refusal(what, registerId));
        }
    }

    /** The facts {@link #ownership} needs, from both client ports. */
    private final class ClientConnections implements dev.registry.session.store.RegistrationOwnership.Connections {
        @Override
        public boolean isOpen(String connectionId) {
            return rpcConnection(connectionId).isPresent()
                    || sofa != null && sofa.connection(connectionId).filter(c -> c.isActive()).isPresent();
        }

        @Override
        public String clientOf(String connectionId) {
            return damping == null ? null : damping.clientOf(connectionId);
        }

        @Override
        public String remoteIpOf(String connectionId) {
            java.util.Optional<java.net.InetSocketAddress> remote = rpcConnection(connectionId)
                    .map(RpcConnection::remoteAddress);
            if (remote.isEmpty() && sofa != null) {
                remote = sofa.connection(connectionId).map(c -> c.remoteAddress());
            }
            return remote.map(a -> a.getAddress().getHostAddress()).orElse(null);
        }

        private java.util.Optional<RpcConnection> rpcConnection(String id) {
            return clientServer.connections().stream().filter(c -> c.id().equals(id) && c.isActive()).findFirst();
        }
    }

    /** The registration-ownership rule, for the SOFARegistry port. */
    public dev.registry.session.store.RegistrationOwnership ownership() {
        return ownership;
    }

    private static DataInfoId requireId(DataInfoId id) {
        if (id == null) {
            throw new IllegalArgumentException("dataInfoId is required");
        }
        return id.validate();
    }

    /**
     * A client connection closed: its subscribers go; its publishers leave the data servers now,
     * or after a hold if its link flaps or the session asked it to move ({@link
     * dev.registry.session.damping.ClientLinkDamping}).
     */
    private void onClientGone(RpcConnection connection) {
        dev.registry.session.catalog.SessionCatalog c = catalog;
        if (c != null) {
            c.forget(connection);
        }
        clientLimits.forget(connection.id());
        authentication.forget(connection.id());
        if (closing || !started) {
            // Shutting down: clients re-register elsewhere; data servers expire this session after its grace.
            return;
        }
        List<Publisher> removed = publishers.removeConnection(connection.id());
        int subs = subscribers.removeConnection(new RpcPushTarget(connection));
        boolean moved = migrating.remove(connection.id());
        var outcome = damping.onConnectionLost(connection.id(), removed, moved, MIGRATION_GRACE);
        if (!removed.isEmpty() || subs > 0) {
            log.info("client {} gone{}: {}", connection,
                    moved ? " (asked to move; publishers withdrawn after " + MIGRATION_GRACE.toSeconds() + " s)" : "",
                    outcome.summary(removed.size(), subs));
        }
    }

    /** A page of the catalog; with authentication on, only ids the client's app may subscribe to. */
    private Object onCatalogQuery(RpcConnection connection, dev.registry.common.protocol.CatalogQuery query) {
        checkStarted();
        clientLimits.checkRate(connection.id());
        catalog.checkQueryRate(connection.id(), clock.millis());
        java.util.function.Predicate<DataInfoId> visible = catalogVisibility(connection);
        return catalog.query(query).thenApply(page -> page.filter(visible));
    }

    /** Starts or stops a client's watch of a catalog group; a start is answered with the group's ids now. */
    private Object onCatalogWatch(RpcConnection connection, dev.registry.common.protocol.CatalogWatchRequest request) {
        checkStarted();
        clientLimits.checkRate(connection.id());
        if (!request.watch()) {
            catalog.unwatch(connection, request.group());
            return new dev.registry.common.protocol.CatalogChanged(request.group(), 0, List.of(), false);
        }
        return catalog.watch(connection, request.group(), catalogVisibility(connection));
    }

    private java.util.function.Predicate<DataInfoId> catalogVisibility(RpcConnection connection) {
        dev.registry.session.auth.AppCredentials.App app = authentication.requireApp(connection.id());
        return app == null ? id -> true : id -> app.maySubscribe(id.dataId());
    }

    /** A client proves its app credentials; with authentication off it is told so (no app). */
    private Object onAuth(RpcConnection connection, dev.registry.common.protocol.AuthRequest request) {
        checkStarted();
        return authentication.authenticate(connection.id(), request);
    }

    /** Whether pushes are stopped (admin push/stop, or meta's switch). */
    public boolean isPushPaused() {
        return push.isPaused();
    }

    /** Whether the client ports require app credentials. */
    public boolean authenticationRequired() {
        return authentication.required();
    }

    private Object onClientHello(RpcConnection connection, dev.registry.common.protocol.ClientHello hello) {
        if (started) {
            damping.onHello(connection.id(), hello);
        }
        if (hello.has(dev.registry.common.protocol.ClientHello.FEATURE_PUSH_DELTAS)) {
            pushTarget(connection).enableDeltas(); // before its first subscriber: the hello comes first
        }
        return Boolean.TRUE;
    }

    // ---- draining ----

    /**
     * Graceful stop, first half: stop accepting clients, turn not-ready (load balancers stop
     * sending new ones), ask every client to reconnect elsewhere, and wait until they left or
     * the timeout passed. Their publishers stay on the data servers until they re-registered.
     */
    public void drain(Duration timeout) {
        if (draining || clientServer == null) {
            return;
        }
        draining = true;
        clientServer.stopAccepting();
        if (sofa != null) {
            sofa.drain();
        }
        List<RpcConnection> clients = new ArrayList<>(clientServer.connections());
        log.info("draining: asking {} clients to reconnect elsewhere", clients.size());
        askToMove(clients, "session is shutting down");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!clientServer.connections().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50); // bounded wait for clients to leave during shutdown
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("drained: {} clients still connected", clientServer.connections().size());
    }

    private void askToMove(List<RpcConnection> clients, String reason) {
        ReconnectRequest request = new ReconnectRequest(reason);
        for (RpcConnection c : clients) {
            migrating.add(c.id());
            c.send(request);
        }
    }

    public boolean isDraining() {
        return draining;
    }

    // ---- client balance ----

    /** Where other sessions reach this one's admin port: its own bind address, unless that is a wildcard. */
    private String adminAddress() {
        AdminHttpServer a = admin;
        if (a == null) {
            return null;
        }
        return a.advertisedAddress(config.adminBindHost(), config.bindHost(), config.advertiseHost());
    }

    /** Takes new clients: started, ready, not draining or stopping. */
    private boolean takingClients() {
        return started && !draining && !closing && isReady();
    }

    /** What meta is told: clients that stay here (asked-to-move ones excluded), or -1 while taking none. */
    private int clientLoad() {
        if (!takingClients()) {
            return -1;
        }
        return Math.max(0, clientServer.connections().size() - migrating.size());
    }

    /** Client addresses of the sessions taking clients, as the meta leader last reported them (self first). */
    private List<String> sessionsTakingClients() {
        List<String> out = new ArrayList<>();
        if (takingClients()) {
            out.add(sessionId);
        }
        var last = meta.lastResponse();
        if (last != null && last.sessionConnections() != null) {
            new java.util.TreeMap<>(last.sessionConnections()).forEach((session, clients) -> {
                if (clients >= 0 && !session.equals(sessionId)) {
                    out.add(session);
                }
            });
        }
        return out;
    }

    /**
     * One balancing round: if this session holds clearly more clients than the average of the
     * sessions taking clients, ask some of them (within the round's budget) to move to the
     * sessions below it. Their publishers stay until they re-registered there, as in a drain.
     */
    private void balanceClients() {
        try {
            var last = meta.lastResponse();
            if (!takingClients() || last == null || last.sessionConnections() == null) {
                return;
            }
            if (last.sessionListIncomplete()) {
                return; // a new meta leader may not know every session yet: the average would be wrong
            }
            List<RpcConnection> movable = new ArrayList<>();
            for (RpcConnection c : clientServer.connections()) {
                if (!migrating.contains(c.id()) && c.isActive()) {
                    movable.add(c);
                }
            }
            // Meta's picture for every session, this one included: the counts of one moment.
            Map<String, Integer> counts = new java.util.HashMap<>(last.sessionConnections());
            Map<String, Integer> plan = ConnectionBalancer.plan(sessionId, counts, config.balance().tolerance(),
                    config.balance().budget(movable.size()));
            if (!balanceDamper.shouldAct(counts, config.balance().tolerance(), !plan.isEmpty())) {
                return;
            }
            java.util.Collections.shuffle(movable, balanceRandom);
            int next = 0;
            for (Map.Entry<String, Integer> move : plan.entrySet()) {
                ReconnectRequest request = new ReconnectRequest("rebalancing clients across sessions", move.getKey());
                for (int i = 0; i < move.getValue() && next < movable.size(); i++) {
                    RpcConnection c = movable.get(next++);
                    migrating.add(c.id());
                    c.send(request);
                    // A client that ignores the request (an old one) counts again after the grace.
                    scheduler.schedule(() -> {
                        if (c.isActive()) {
                            migrating.remove(c.id());
                        }
                    }, MIGRATION_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            clientsMoved.add(next);
            log.info("balancing clients: asked {} of {} to move {} (clients per session: {})", next, movable.size(),
                    plan, new java.util.TreeMap<>(counts));
        } catch (RuntimeException e) {
            log.warn("client balancing round failed", e);
        }
    }

    // ---- slot table and reconciliation ----

    private void onSlotTableChange(SlotTable old, SlotTable now) {
        links.connectAll(now.servers());
        // A slot with a new leader is reconciled from this session's copy: the session is the
        // source of truth, so a leader that is new, restarted or promoted converges, and it
        // serves reads only once every session did this.
        List<Integer> changed = new ArrayList<>();
        for (int slot = 0; slot < now.slotCount(); slot++) {
            String newLeader = now.slot(slot).leader();
            if (newLeader != null && !newLeader.equals(old.slot(slot).leader())) {
                changed.add(slot);
            }
        }
        if (!changed.isEmpty()) {
            log.info("slot table epoch {}: reconciling {} slots with their new leaders", now.epoch(), changed.size());
            reconciler.syncSlots(changed);
        }
        for (DataInfoId id : subscribers.subscribedIds()) {
            int slot = SlotHash.slotOf(id, now.slotCount());
            if (!java.util.Objects.equals(now.slot(slot).leader(), old.slot(slot).leader())) {
                push.trigger(id);
            }
        }
    }

    /** A data server (re)connected: it may have dropped this session's publishers meanwhile. */
    private void resyncSlotsLedBy(String dataServer) {
        List<Integer> slots = tables.current().slotsLedBy(dataServer);
        if (!slots.isEmpty()) {
            reconciler.syncSlots(slots);
        }
    }

    /** Next slot of the periodic sweep; scheduler thread only. */
    private int nextPeriodicSlot;

    private void syncNextSlot() {
        try {
            SlotTable table = tables.current();
            if (table.isComplete()) {
                int slot = nextPeriodicSlot;
                nextPeriodicSlot = (slot + 1) % table.slotCount();
                reconciler.syncSlotBySummary(slot);
            }
        } catch (RuntimeException e) {
            log.warn("periodic slot sync failed", e);
        }
    }

    private void reconcile() {
        try {
            links.connectAll(tables.current().servers());
            push.reconcile();
        } catch (RuntimeException e) {
            log.warn("reconciliation failed", e);
        }
    }

    // ---- admin ----

    private void registerAdminRoutes(AdminHttpServer http) {
        if (sofa != null) {
            sofa.registerAdminRoutes(http); // SOFARegistry clients' server discovery
        }
        http.get("/health", r -> AdminResponse.ok(Map.of("status", "UP", "role", "session", "sessionId", sessionId)));
        http.get("/health/ready", r -> {
            boolean tableReady = tables.current().isComplete();
            boolean dataReady = links.allLeadersConnected();
            boolean ready = tableReady && dataReady && !draining;
            return new AdminResponse(ready ? 200 : 503, Map.of("ready", ready, "slotTableEpoch", tables.epoch(),
                    "slotTableComplete", tableReady, "dataServersConnected", dataReady, "draining", draining), null);
        });
        http.get("/api/v1/slot-table", r -> AdminResponse.ok(SlotTableJson.of(tables.current(), sessionId)));
        http.get("/api/v1/servers", r -> AdminResponse.ok(serversJson()));
        http.get("/api/v1/members", r -> AdminResponse.ok(membersJson()));
        new dev.registry.session.admin.SessionConsoleRoutes(sessionId, config.slotCount(), config.adminToken(), tables,
                links, meta, subscribers, () -> catalog, clock,
                new dev.registry.session.admin.PeerAdmin(adminTls(), config.clusterTls())).register(http);
        http.get("/metrics", r -> AdminResponse.text(200, metricsText(), "text/plain; version=0.0.4"));
        dev.registry.common.admin.CommonAdminRoutes.register(http, "session");
        http.post("/api/v1/drain", r -> {
            java.util.concurrent.CompletableFuture.runAsync(() -> drain(Duration.ofSeconds(30)));
            return AdminResponse.ok(Map.of("draining", true));
        });
        http.get("/api/v1/data-infos", r -> {
            int page = r.intParam("page", 0, 0, Integer.MAX_VALUE);
            int size = r.intParam("size", 100, 1, 1000);
            java.util.TreeMap<String, int[]> counts = new java.util.TreeMap<>();
            for (DataInfoId id : subscribers.subscribedIds()) {
                counts.computeIfAbsent(id.canonical(), k -> new int[2])[1] = subscribers.subscribersOf(id).size();
            }
            publishers.countsById().forEach((id, n) -> counts.computeIfAbsent(id.canonical(), k -> new int[2])[0] = n);
            List<Map<String, Object>> items = counts.entrySet().stream().skip((long) page * size).limit(size).map(e -> {
                DataInfoId id = DataInfoId.parse(e.getKey());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dataInfoId", e.getKey());
                m.put("dataId", id.dataId());
                m.put("group", id.group());
                m.put("instanceId", id.instanceId());
                m.put("localPublishers", e.getValue()[0]);
                m.put("localSubscribers", e.getValue()[1]);
                return m;
            }).toList();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("page", page);
            out.put("size", size);
            out.put("total", counts.size());
            out.put("items", items);
            return AdminResponse.ok(out);
        });
        http.get("/api/v1/client-off", r -> AdminResponse.ok(Map.of("offIps", List.copyOf(publishers.offIps()))));
        http.post("/api/v1/client-off", r -> AdminResponse.ok(setClientOff(r.requireIpParam("ip"), true)));
        http.post("/api/v1/client-on", r -> AdminResponse.ok(setClientOff(r.requireIpParam("ip"), false)));
        http.post("/api/v1/push/stop", r -> {
            push.setPaused(true);
            log.warn("pushes stopped by an admin request");
            return AdminResponse.ok(Map.of("pushPaused", true));
        });
        http.post("/api/v1/push/resume", r -> {
            push.setPaused(false);
            log.info("pushes resumed by an admin request");
            return AdminResponse.ok(Map.of("pushPaused", false));
        });
        http.get("/api/v1/damped-clients", r -> AdminResponse.ok(r.param("client") == null
                ? damping.toJson(r.authorized()) : damping.clientJson(r.param("client"))));
        http.get("/api/v1/connections", r -> AdminResponse.ok(clientServer.connections().stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("remote", c.remoteAddress().toString());
            m.put("writable", c.isWritable());
            m.put("pendingOutboundBytes", c.pendingOutboundBytes());
            return m;
        }).toList()));
    }

    /** The live sessions as meta last reported them, for clients and operators behind one balancer address. */
    private Map<String, Object> serversJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("self", sessionId);
        var last = meta.lastResponse();
        Map<String, Integer> counts = new java.util.TreeMap<>();
        if (last != null && last.sessionConnections() != null) {
            counts.putAll(last.sessionConnections());
        } else if (last != null && last.sessionServers() != null) {
            last.sessionServers().forEach(s -> counts.put(s, -1));
        }
        counts.put(sessionId, clientLoad());
        out.put("servers", counts.entrySet().stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", e.getKey());
            m.put("takingClients", e.getValue() >= 0);
            m.put("clientConnections", Math.max(0, e.getValue()));
            return m;
        }).toList());
        ConnectionBalancer.Settings b = config.balance();
        Map<String, Object> balance = new LinkedHashMap<>();
        balance.put("enabled", b.enabled());
        balance.put("intervalMillis", b.interval().toMillis());
        balance.put("tolerance", b.tolerance());
        balance.put("maxMovesPerRound", b.maxMovesPerRound());
        balance.put("maxMoveFraction", b.maxMoveFraction());
        balance.put("clientsAskedToMove", clientsMoved.sum());
        out.put("balance", balance);
        return out;
    }

    /**
     * The cluster as this session learnt it from meta's last heartbeat answer: data servers (with
     * the slots they lead and follow in this session's table), live sessions with their client
     * counts and admin addresses, and the meta nodes (the one that answered as leader).
     */
    private Map<String, Object> membersJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        var last = meta.lastResponse();
        SlotTable table = tables.current();
        out.put("source", "session");
        out.put("self", sessionId);
        out.put("slotTableEpoch", table.epoch());
        out.put("lastHeartbeatMillisAgo", last == null ? null : meta.nanosSinceLastSuccess() / 1_000_000);
        java.util.TreeSet<String> dataServers = new java.util.TreeSet<>(table.servers());
        if (last != null && last.dataServers() != null) {
            dataServers.addAll(last.dataServers());
        }
        out.put("dataServers", dataServers.stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", d);
            boolean live = last != null && last.dataServers() != null && last.dataServers().contains(d);
            m.put("state", live ? "UP" : "NOT_IN_MEMBER_LIST");
            m.put("connected", links.isConnected(d));
            m.put("slotsLed", table.slotsLedBy(d).size());
            m.put("slotsFollowed", table.slotsFollowedBy(d).size());
            return m;
        }).toList());
        out.put("sessionListComplete", last == null || !last.sessionListIncomplete());
        java.util.TreeSet<String> sessions = new java.util.TreeSet<>();
        sessions.add(sessionId);
        if (last != null && last.sessionServers() != null) {
            sessions.addAll(last.sessionServers());
        }
        Map<String, Integer> counts = last == null || last.sessionConnections() == null ? Map.of() : last.sessionConnections();
        Map<String, String> adminAddresses = last == null ? Map.of() : last.sessionAdminAddresses();
        out.put("sessionServers", sessions.stream().map(s -> {
            int clients = s.equals(sessionId) ? clientLoad() : counts.getOrDefault(s, -1);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", s);
            m.put("self", s.equals(sessionId));
            m.put("state", clients >= 0 ? "UP" : "NOT_TAKING_CLIENTS");
            m.put("clientConnections", Math.max(clients, 0));
            m.put("adminAddress", s.equals(sessionId) ? adminAddress() : adminAddresses.get(s));
            return m;
        }).toList());
        String leader = meta.leaderAddress();
        out.put("metaServers", config.metaAddresses().stream().map(a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", a.toString());
            m.put("state", a.toString().equals(leader) ? "LEADER" : "UNKNOWN");
            return m;
        }).toList());
        out.put("metaLeader", leader);
        out.put("metaTerm", last == null ? null : last.term());
        out.put("pushPaused", isPushPaused());
        out.put("draining", draining);
        return out;
    }


    /**
     * Client-off (true) takes every publisher of that client IP off the data servers while the
     * session keeps them; client-on publishes them again. Used around deploys.
     */
    private Map<String, Object> setClientOff(String ip, boolean off) {
        List<Publisher> affected = publishers.setIpOff(ip, off);
        for (Publisher p : affected) {
            if (off) {
                syncer.syncRemoval(p);
            } else {
                syncer.sync(new PublisherKey(p.dataInfoId(), p.registerId()));
            }
        }
        log.info("client-{} for ip {}: {} publishers", off ? "off" : "on", ip, affected.size());
        return Map.of("ip", ip, "off", off, "publishers", affected.size());
    }

    /**
     * Meta's switches changed: apply the difference, so a session-local admin call stays in force
     * until meta changes the same switch.
     */
    private void applyMetaSwitches(dev.registry.common.protocol.OperationalSwitches before,
                                   dev.registry.common.protocol.OperationalSwitches after) {
        for (String ip : after.clientOffIps()) {
            if (!before.clientOffIps().contains(ip)) {
                setClientOff(ip, true);
            }
        }
        for (String ip : before.clientOffIps()) {
            if (!after.clientOffIps().contains(ip)) {
                setClientOff(ip, false);
            }
        }
        if (before.pushStopped() != after.pushStopped()) {
            push.setPaused(after.pushStopped());
            log.warn("pushes {} by meta's switch (version {})", after.pushStopped() ? "stopped" : "resumed", after.version());
        }
    }

    /** What this session does with the publishers of clients whose links are lost (flap damping). */
    public dev.registry.session.damping.ClientLinkDamping damping() {
        return damping;
    }

    /** The Prometheus text of this session, as /metrics serves it. */
    public String metricsText() {
        StringBuilder out = new StringBuilder();
        dev.registry.common.rpc.RpcMetrics.appendPrometheus(out, clientServer.metrics(), dataClient.metrics());
        dev.registry.common.metrics.JvmMetrics.appendPrometheus(out);
        PrometheusText.gauge(out, "registry_session_publishers", publishers.size());
        PrometheusText.gauge(out, "registry_session_subscribers", subscribers.size());
        PrometheusText.gauge(out, "registry_session_sync_pending_keys", syncer.pendingKeys());
        PrometheusText.gauge(out, "registry_session_slot_table_epoch", tables.epoch());
        PrometheusText.gauge(out, "registry_session_client_connections", clientServer.connections().size());
        out.append("# TYPE registry_session_clients_asked_to_move_total counter\nregistry_session_clients_asked_to_move_total ")
                .append(clientsMoved.sum()).append('\n');
        out.append("# TYPE registry_session_slot_syncs_total counter\nregistry_session_slot_syncs_total ")
                .append(reconciler.syncs()).append('\n');
        out.append("# TYPE registry_session_slot_sync_repairs_total counter\nregistry_session_slot_sync_repairs_total ")
                .append(reconciler.repaired()).append('\n');
        out.append("# TYPE registry_session_slot_sync_summary_mismatches_total counter\n")
                .append("registry_session_slot_sync_summary_mismatches_total ").append(reconciler.summaryMismatches())
                .append('\n');
        PrometheusText.counter(out, "registry_session_sync_unexpected_failures_total", syncer.unexpectedFailures());
        push.appendPrometheus(out);
        damping.appendPrometheus(out);
        catalog.appendMetrics(out);
        if (sofa != null) {
            sofa.appendPrometheus(out);
        }
        return out.toString();
    }


    // ---- accessors ----

    public String sessionId() {
        return sessionId;
    }

    public int port() {
        return clientServer.port();
    }

    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Client connections on this session's own port now. */
    public int clientConnections() {
        return clientServer.connections().size();
    }

    /** The Bolt port for SOFARegistry clients, or -1 when disabled. */
    public int sofaBoltPort() {
        return sofa == null ? -1 : sofa.port();
    }

    /** The SOFARegistry client port, or null when disabled. */
    public SofaClientPort sofaClientPort() {
        return sofa;
    }

    public SlotTableHolder slotTables() {
        return tables;
    }

    public SessionPublisherStore publishers() {
        return publishers;
    }

    public PushEngine pushEngine() {
        return push;
    }

    public SubscriberRegistry<PushTarget> subscribers() {
        return subscribers;
    }

    /** True when the session can serve: complete slot table and every data server connected. */
    public boolean isReady() {
        return tables.current().isComplete() && links.allLeadersConnected();
    }

    @Override
    public synchronized void close() {
        closing = true;
        if (syncer != null) {
            syncer.stop();
        }
        if (reconciler != null) {
            reconciler.stop();
        }
        if (admin != null) {
            admin.close();
        }
        if (clientServer != null) {
            clientServer.close();
        }
        if (sofa != null) {
            sofa.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (links != null) {
            links.close();
        }
        if (dataClient != null) {
            dataClient.close();
        }
        if (meta != null) {
            meta.close();
        }
        log.info("session server {} stopped", sessionId);
    }
}
