package dev.registry.session;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.AuthRequest;
import dev.registry.common.protocol.CatalogQuery;
import dev.registry.common.protocol.CatalogWatchRequest;
import dev.registry.common.protocol.ClientHello;
import dev.registry.common.protocol.DataChangeNotice;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.RegisterSubscriberRequest;
import dev.registry.common.protocol.SessionList;
import dev.registry.common.protocol.SessionListRequest;
import dev.registry.common.protocol.SessionServerHeartbeat;
import dev.registry.common.protocol.UnregisterPublisherRequest;
import dev.registry.common.protocol.UnregisterSubscriberRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.random.RandomSource;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.serialize.Serializer;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.admin.PeerAdmin;
import dev.registry.session.admin.SessionAdminRoutes;
import dev.registry.session.admin.SessionConsoleRoutes;
import dev.registry.session.admin.SessionMetrics;
import dev.registry.session.admin.SessionSwitches;
import dev.registry.session.auth.ClientAuthentication;
import dev.registry.session.balance.ClientMigration;
import dev.registry.session.bolt.SofaClientPort;
import dev.registry.session.catalog.SessionCatalog;
import dev.registry.session.client.ClientRequests;
import dev.registry.session.damping.ClientLinkDamping;
import dev.registry.session.damping.FlapDamper;
import dev.registry.session.limits.ClientLimits;
import dev.registry.session.link.DataServerLinks;
import dev.registry.session.publish.PublisherSyncer;
import dev.registry.session.publish.SlotReconciler;
import dev.registry.session.push.PushEngine;
import dev.registry.session.push.PushTarget;
import dev.registry.session.push.SubscriberRegistry;
import dev.registry.session.store.RegistrationOwnership;
import dev.registry.session.store.SessionPublisherStore;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    private final SessionServerConfig config;
    private final Clock clock;
    /** All of the session's randomness (issue #21): seeded from the config, a simulator can replay it. */
    private final RandomSource random;
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
    private volatile SessionCatalog catalog;
    private volatile ClientLinkDamping damping;
    /** Client authentication: null when off. */
    private final ClientAuthentication authentication;
    /** Per-connection caps of both client ports. */
    private final ClientLimits clientLimits;
    /** Who may change a registration: its connection, or the same client on another one. */
    private final RegistrationOwnership ownership = new RegistrationOwnership(new ClientConnections());
    private RpcServer clientServer;
    /** Clients asked to move to other sessions: on a drain, and by client balancing. */
    private volatile ClientMigration migration;
    /** Our own clients' requests: set once everything they use is wired, just before {@link #started}. */
    private volatile ClientRequests requests;
    private volatile SessionMetrics metrics;
    private volatile AdminHttpServer admin;
    private SofaClientPort sofa;
    private String sessionId;
    private volatile boolean closing;
    private volatile boolean started;

    /** The certificate this session's admin port serves HTTPS with: the node's, else the client port's; null = HTTP. */
    private dev.registry.common.tls.TlsSettings adminTls() {
        return config.clusterTls() != null ? config.clusterTls() : config.clientRpc().tls();
    }

    public SessionServer(SessionServerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.random = RandomSource.of(config.randomSeed());
        log.debug("random seed {} ({})", random.seed(), random.isSeeded() ? "configured" : "drawn");
        this.tables = new SlotTableHolder(config.slotCount());
        this.publishers = new SessionPublisherStore(config.slotCount());
        this.clientLimits = new ClientLimits(config.clientLimits(), System::nanoTime);
        this.authentication = new ClientAuthentication(config.appsFile(), clock::millis);
    }

    public synchronized SessionServer start() {
        scheduler = Executors.newScheduledThreadPool(1, new DefaultThreadFactory("session-timer", true));
        HandlerRegistry clientHandlers = new HandlerRegistry()
                .register(RegisterPublisherRequest.class, (c, r) -> requests().onRegisterPublisher(c, r))
                .register(dev.registry.common.protocol.RegisterPublishersRequest.class, (c, batch) -> {
                    ClientRequests handler = requests(); // a starting session refuses the whole batch at once
                    return dev.registry.session.publish.PublisherBatches.handle(batch,
                            one -> handler.onRegisterPublisher(c, one), c);
                })
                .register(UnregisterPublisherRequest.class, (c, r) -> requests().onUnregisterPublisher(c, r))
                .register(RegisterSubscriberRequest.class, (c, r) -> requests().onRegisterSubscriber(c, r))
                .register(UnregisterSubscriberRequest.class, (c, r) -> requests().onUnregisterSubscriber(c, r))
                .register(SessionListRequest.class, (c, r) -> new SessionList(migration.sessionsTakingClients()))
                .register(ClientHello.class, (c, hello) -> started ? requests.onClientHello(c, hello)
                        : ClientRequests.acceptFeatures(c, hello))
                .register(AuthRequest.class, (c, r) -> requests().onAuth(c, r))
                .register(CatalogQuery.class, (c, query) -> requests().onCatalogQuery(c, query))
                .register(CatalogWatchRequest.class, (c, r) -> requests().onCatalogWatch(c, r));
        // Bind first: the session's identity is its advertised client address.
        // The client port's connection and queue caps are client limits (ClientLimits.Settings).
        RpcConfig clientRpc = config.clientRpc().withLimits(config.clientLimits().maxQueuedPerConnection(),
                config.clientLimits().maxConnections());
        clientServer = new RpcServer("session", clientRpc, serializer, clientHandlers, new ConnectionListener() {
            @Override
            public void onDisconnected(RpcConnection connection) {
                if (started) {
                    requests.onClientGone(connection);
                } else { // nothing can be registered or watched yet: only its caps and credentials go
                    clientLimits.forget(connection.id());
                    authentication.forget(connection.id());
                }
            }
        });
        int port = clientServer.start(config.bindHost(), config.port()).getPort();
        sessionId = config.advertiseHost() + ":" + port;

        meta = new MetaClient("session-" + port, config.metaAddresses(), serializer, tables,
                () -> new SessionServerHeartbeat(sessionId, sessionId, tables.epoch(), migration.clientLoad(),
                        adminAddress()),
                config.heartbeatInterval(), config.clusterTls());
        migration = new ClientMigration(sessionId, clientServer, meta, scheduler, config.balance(),
                () -> started && !closing && isReady(), random.forComponent("session.client-migration"));
        HandlerRegistry dataHandlers = new HandlerRegistry()
                .register(DataChangeNotice.class, (conn, notice) -> {
                    push.onNotice(notice.dataInfoId(), notice.version());
                    SessionCatalog c = catalog;
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
                this::resyncSlotsLedBy, random.forComponent("session.data-links"));
        syncer = new PublisherSyncer(publishers, links, config.slotCount(), scheduler, config.writeDeadline(),
                Duration.ofSeconds(2));
        push = new PushEngine(subscribers, links, config.slotCount(), config.push(), scheduler, clock,
                random.forComponent("session.push"));
        damping = new ClientLinkDamping(new FlapDamper(config.damping(), clock::millis), publishers, syncer, scheduler);
        reconciler = new SlotReconciler(sessionId, publishers, syncer, links, config.slotCount(), config.writeDeadline());
        reconciler.setPushedVersions(this::pushedVersionsBySlot);
        // A leader whose versions fell below what was pushed (its lineage broke another way than a
        // takeover this session saw) is told what was pushed, as on a takeover (simulator seed 176).
        push.onVersionBehind(id -> reconciler.syncSlots(List.of(SlotHash.slotOf(id, config.slotCount()))));
        catalog = new SessionCatalog(tables, links, scheduler);
        catalog.start();
        // Off the meta link's I/O thread; the single scheduler thread keeps table changes in order.
        tables.addListener((old, now) -> scheduler.execute(() -> onSlotTableChange(old, now)));
        // Client-off and push switches set on meta (kept in its database) apply to every session.
        SessionSwitches switches = new SessionSwitches(publishers, syncer, push);
        meta.addSwitchListener((before, after) -> scheduler.execute(() -> switches.applyMetaSwitches(before, after)));
        meta.start();
        dev.registry.common.meta.TableGossip.of(meta, sessionId, tables::current, (server, request) -> links
                .connection(server).thenCompose(c -> c.call(request, Duration.ofSeconds(2))), config.heartbeatInterval())
                .tickEverySecond(scheduler);
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
            scheduler.scheduleWithFixedDelay(migration::balanceClients, every, every, TimeUnit.MILLISECONDS);
        }
        if (config.sofaBoltPort() >= 0) {
            // SOFARegistry's own Java client, on the same stores, syncer and push engine (docs/sofa-compatibility.md).
            sofa = new SofaClientPort(SofaClientPort.Settings.defaults(config.clientRpc().maxFrameBytes(),
                    config.clientRpc().workerThreads(), config.clientRpc().writeBufferHighBytes(), ClientMigration.GRACE,
                    config.clientRpc().tls()),
                    new SofaClientPort.Session(sessionId, config.advertiseHost(), config.slotCount(), publishers,
                            syncer, subscribers, push, links, scheduler, clock, () -> clientServer.connections().size(),
                            () -> {
                                var last = meta.lastResponse();
                                return last == null ? null : last.sessionServers();
                            }, () -> !closing, damping, ownership, clientLimits, authentication));
            sofa.start(config.bindHost(), config.sofaBoltPort());
        }
        metrics = new SessionMetrics(clientServer, dataClient, publishers, subscribers, syncer, tables, migration,
                reconciler, push, damping, catalog, sofa);
        if (config.adminPort() >= 0) {
            // HTTPS with the node certificate (peers trust the cluster CA), else the client port's.
            admin = new AdminHttpServer("session", config.adminToken(), adminTls()).serveConsole();
            if (sofa != null) {
                sofa.registerAdminRoutes(admin); // SOFARegistry clients' server discovery
            }
            new SessionAdminRoutes(sessionId, config, tables, links, meta, publishers, subscribers, push, damping,
                    clientServer, migration, switches, metrics, this::drain, this::adminAddress).register(admin);
            new SessionConsoleRoutes(sessionId, config.slotCount(), config.adminToken(), tables, links, meta,
                    subscribers, () -> catalog, clock, new PeerAdmin(adminTls(), config.clusterTls())).register(admin);
            admin.start(config.adminBindHost(), config.adminPort());
        }
        requests = new ClientRequests(sessionId, clock, publishers, subscribers, syncer, push, catalog, damping,
                ownership, clientLimits, authentication, migration, () -> closing);
        started = true;
        log.info("session server {} started: client port {}, admin http port {}, SOFARegistry bolt port {}, "
                + "client balance {}", sessionId, port, admin == null ? "off" : admin.port(),
                sofa == null ? "off" : sofa.port(), config.balance().enabled()
                        ? "every " + config.balance().interval().toMillis() + " ms" : "off");
        return this;
    }

    /** The client port opens before the rest is wired (its port is the session id): refuse until then. */
    private ClientRequests requests() {
        if (!started) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "session is starting; retry");
        }
        return requests;
    }

    /** The facts {@link #ownership} needs, from both client ports. */
    private final class ClientConnections implements RegistrationOwnership.Connections {
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
            Optional<InetSocketAddress> remote = rpcConnection(connectionId).map(RpcConnection::remoteAddress);
            if (remote.isEmpty() && sofa != null) {
                remote = sofa.connection(connectionId).map(c -> c.remoteAddress());
            }
            return remote.map(a -> a.getAddress().getHostAddress()).orElse(null);
        }

        private Optional<RpcConnection> rpcConnection(String id) {
            return clientServer.connections().stream().filter(c -> c.id().equals(id) && c.isActive()).findFirst();
        }
    }

    /** The registration-ownership rule, for the SOFARegistry port. */
    public RegistrationOwnership ownership() {
        return ownership;
    }

    /** Whether pushes are stopped (admin push/stop, or meta's switch). */
    public boolean isPushPaused() {
        return push.isPaused();
    }

    /** Whether the client ports require app credentials. */
    public boolean authenticationRequired() {
        return authentication.required();
    }

    /** Graceful stop, first half: every client asked to move elsewhere ({@link ClientMigration#drain}). */
    public void drain(Duration timeout) {
        ClientMigration m = migration;
        if (m != null) { // null: not started
            m.drain(timeout, sofa);
        }
    }

    public boolean isDraining() {
        ClientMigration m = migration;
        return m != null && m.isDraining();
    }

    /** Where other sessions reach this one's admin port: its own bind address, unless that is a wildcard. */
    private String adminAddress() {
        AdminHttpServer a = admin;
        if (a == null) {
            return null;
        }
        return a.advertisedAddress(config.adminBindHost(), config.bindHost(), config.advertiseHost());
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
            // A leader that lost the slot and got it back in tables this session missed is new too.
            if (newLeader != null && (!newLeader.equals(old.slot(slot).leader())
                    || now.slot(slot).leaderSince() > old.slot(slot).leaderSince())) {
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

    /**
     * The highest version pushed of each subscribed id in {@code slots}, by slot, in one pass over
     * the subscribed ids: a new leader raises its versions above these (its clock may be behind
     * the one of the leader before it).
     */
    private Map<Integer, Map<DataInfoId, Long>> pushedVersionsBySlot(java.util.Collection<Integer> slots) {
        Set<Integer> wanted = new java.util.HashSet<>(slots);
        int slotCount = config.slotCount();
        Map<Integer, Map<DataInfoId, Long>> out = new java.util.HashMap<>();
        subscribers.pushStates(id -> wanted.contains(SlotHash.slotOf(id, slotCount))).forEach((id, state) -> {
            if (state.maxPushedVersion() > 0) {
                out.computeIfAbsent(SlotHash.slotOf(id, slotCount), x -> new java.util.HashMap<>())
                        .put(id, state.maxPushedVersion());
            }
        });
        return out;
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

    // ---- accessors ----

    /** What this session does with the publishers of clients whose links are lost (flap damping). */
    public ClientLinkDamping damping() {
        return damping;
    }

    /** The Prometheus text of this session, as /metrics serves it. */
    public String metricsText() {
        return metrics.text();
    }

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
        if (clientServer != null) {
            clientServer.close();
        }
        if (sofa != null) {
            sofa.close();
        }
        if (reconciler != null) {
            reconciler.stopAfterRunsInFlight(); // clients gone: no new work comes
        }
        if (syncer != null) {
            syncer.stop();
        }
        if (admin != null) {
            admin.close();
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
