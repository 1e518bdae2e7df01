package dev.registry.data;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.DataChangeNotice;
import dev.registry.common.protocol.DataServerHeartbeat;
import dev.registry.common.protocol.DataServerLeaving;
import dev.registry.common.protocol.DatumVersions;
import dev.registry.common.protocol.DatumVersionsRequest;
import dev.registry.common.protocol.DatumValues;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.protocol.FetchDatumsRequest;
import dev.registry.common.protocol.RemovePublisherRequest;
import dev.registry.common.protocol.ReplicateRequest;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SlotSnapshotDigestRequest;
import dev.registry.common.protocol.SlotSyncDone;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.protocol.WritePublisherRequest;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ConnectionPool;
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
import dev.registry.data.admin.DataAdminRoutes;
import dev.registry.data.replication.SlotReplication;
import dev.registry.data.session.ExpectedSessions;
import dev.registry.data.session.SessionLease;
import dev.registry.data.session.SessionReconciliation;
import dev.registry.data.slot.SlotOwnership;
import dev.registry.data.store.DatumStore;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bootstrap of the data role: holds the publisher lists of the slots it leads (and copies of
 * those it follows), accepts writes from sessions only for slots it leads, replicates them to
 * followers, serves datum reads once a newly led slot is reconciled with the sessions, and
 * notifies sessions of every change. Start order: store, RPC server, meta link, peers, timers,
 * admin; stop in reverse.
 */
public final class DataServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataServer.class);

    private final DataServerConfig config;
    private final Clock clock;
    private final Serializer serializer = WireClasses.serializer();
    private final DatumStore store;
    private final SlotTableHolder tables;
    private final Set<RpcConnection> sessions = ConcurrentHashMap.newKeySet();
    /** Sessions with publishers here but no connection, and since when (the session lease). */
    /** Monotonic: a stepped wall clock must not expire a live session's publishers. */
    private final SessionLease sessionLease;
    /** Sessions new slot leaders wait for; guarded by itself. */
    private final ExpectedSessions expectedSessions;
    private SessionReconciliation reconciliation;
    private ScheduledExecutorService timer;
    private RpcServer rpcServer;
    private RpcClient peerClient;
    private ConnectionPool peers;
    private SlotReplication replication;
    private volatile MetaClient meta;
    private volatile AdminHttpServer admin;
    private SlotOwnership ownership;
    private String address;
    private volatile boolean draining;

    public DataServer(DataServerConfig config, Clock clock) {
        this.config = config;
        this.expectedSessions = new ExpectedSessions(config.sessionGrace());
        this.sessionLease = new SessionLease(config.sessionGrace().toMillis());
        this.clock = clock;
        this.store = new DatumStore(clock::millis, config.slotCount());
        this.tables = new SlotTableHolder(config.slotCount());
    }

    public synchronized DataServer start() {
        timer = Executors.newScheduledThreadPool(2, new DefaultThreadFactory("data-timer", true));
        HandlerRegistry handlers = new HandlerRegistry()
                .register(SessionHello.class, this::onSessionHello)
                .register(WritePublisherRequest.class, this::onWrite)
                .register(RemovePublisherRequest.class, this::onRemove)
                .register(dev.registry.common.protocol.LeaderWritesRequest.class, (conn, req) -> LeaderWrites.answer(req,
                        w -> w instanceof WritePublisherRequest write ? onWrite(conn, write)
                                : onRemove(conn, (RemovePublisherRequest) w), conn.remoteAddress()))
                .register(FetchDatumRequest.class, this::onFetch)
                .register(DatumVersionsRequest.class, this::onVersions)
                .register(SessionSlotDigestRequest.class, (conn, req) -> reconciliation.onSessionDigest(conn, req))
                .register(dev.registry.common.protocol.DataCatalogRequest.class, this::onCatalog)
                .register(SlotSyncDone.class, (conn, req) -> reconciliation.onSlotSyncDone(conn, req))
                .register(ReplicateRequest.class, (conn, req) -> replication.onReplicate(req))
                .register(SlotSnapshotDigestRequest.class, (conn, req) -> replication.digest(req.slotId()))
                .register(FetchDatumsRequest.class, (conn, req) -> replication.datums(req.slotId(), req.dataInfoIds()))
                // Peers and sessions that lost meta learn newer tables from the servers they reach (TableGossip).
                .register(dev.registry.common.protocol.GetSlotTableRequest.class, (conn, req) -> tables.current());
        rpcServer = new RpcServer("data", config.rpc(), serializer, handlers, new ConnectionListener() {
            @Override
            public void onDisconnected(RpcConnection connection) {
                if (sessions.remove(connection)) {
                    synchronized (expectedSessions) {
                        expectedSessions.disconnected(connection.attachment(String.class), clock.millis());
                    }
                    log.info("session {} disconnected; its publishers go after {} ms unless it reconnects",
                            connection.attachment(String.class), config.sessionGrace().toMillis());
                }
            }
        });
        int port = rpcServer.start(config.bindHost(), config.port()).getPort();
        address = config.advertiseHost() + ":" + (config.advertisePort() > 0 ? config.advertisePort() : port);
        // Cluster mTLS (when config.rpc() has it): the same certificate serves and dials.
        peerClient = new RpcClient("data-" + port + "-peers", RpcConfig.clientDefaults().withTls(config.rpc().tls()), serializer,
                new HandlerRegistry(), new ConnectionListener() { });
        // A peer whose replication link drops is reported to meta, which probes it and fails its
        // slots over at once if it is dead (instead of after its lease).
        peers = new ConnectionPool(peerClient, conn -> CompletableFuture.completedFuture(null), a -> { },
                this::reportUnreachablePeer);
        // Intervals on the monotonic clock (a stepped wall clock must not stall replication); versions on the wall clock.
        replication = new SlotReplication(address, store, dev.registry.common.rpc.PeerCalls.of(peers), config.replication(),
                () -> System.nanoTime() / 1_000_000, SlotReplication.newIncarnation());
        meta = new MetaClient("data-" + port, config.metaAddresses(), serializer, tables,
                () -> new DataServerHeartbeat(address, tables.epoch(), adminAddress()), config.heartbeatInterval(), config.rpc().tls());
        ownership = new SlotOwnership(address, tables, meta::refreshSoon, replication::leads);
        reconciliation = new SessionReconciliation(ownership, replication, store, meta, expectedSessions,
                this::connectedSessionIds, clock, this::notifySessions);
        tables.addListener(this::onSlotTable);
        meta.start();
        timer.scheduleWithFixedDelay(this::pumpQuietly, 5, 5, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::expireAbsentSessions, 500, 500, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(reconciliation::reportTakeoverProgress, 1, 1, TimeUnit.SECONDS);
        dev.registry.common.meta.TableGossip.of(meta, address, tables::current,
                (peer, request) -> peers.get(peer).thenCompose(c -> c.call(request, Duration.ofSeconds(2))),
                config.heartbeatInterval()).tickEverySecond(timer);
        if (config.adminPort() >= 0) {
            admin = new AdminHttpServer("data", config.adminToken(), config.rpc().tls()); // HTTPS with the node certificate
            new DataAdminRoutes(this, meta, reconciliation, sessions::size, rpcServer, peerClient).register(admin);
            admin.start(config.adminBindHost(), config.adminPort());
        }
        log.info("data server {} started: rpc port {}, admin http port {}", address, port,
                admin == null ? "off" : admin.port());
        return this;
    }

    private void reportUnreachablePeer(String peer) {
        MetaClient link = meta;
        if (link != null) {
            link.reportUnreachable(peer, address);
        }
    }

    private void onSlotTable(SlotTable old, SlotTable now) {
        Set<Integer> newlyLed = replication.onSlotTable(now);
        if (!newlyLed.isEmpty()) {
            synchronized (sessionLease) {
                sessionLease.tookSlotsOver();
            }
        }
        log.info("slot table epoch {} -> {}: leading {} slots ({} new, reconciling with sessions), following {}",
                old.epoch(), now.epoch(), now.slotsLedBy(address).size(), newlyLed.size(), replication.followedSlots());
    }

    private void pumpQuietly() {
        try {
            replication.pump();
        } catch (RuntimeException e) {
            log.warn("replication pump failed", e);
        }
    }

    // ---- sessions ----

    private Object onSessionHello(RpcConnection connection, SessionHello hello) {
        if (hello.sessionId() == null || hello.sessionId().isBlank()) {
            throw new IllegalArgumentException("sessionId is required");
        }
        connection.setAttachment(hello.sessionId());
        sessions.add(connection);
        log.info("session {} connected from {}", hello.sessionId(), connection.remoteAddress());
        return new WriteResult(0, false);
    }

    /** The sessions connected to this data server now (by id). */
    public Set<String> connectedSessionIds() {
        Set<String> out = new HashSet<>();
        for (RpcConnection c : sessions) {
            String id = c.attachment(String.class);
            if (id != null && c.isActive()) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * The session lease: a session with publishers in slots led here and no connection for the
     * whole grace period is dead; its clients' publishers go (they re-registered elsewhere if alive).
     */
    private void expireAbsentSessions() {
        try {
            Set<Integer> ledSlots = replication.ledSlots();
            Set<String> withPublishers = store.sessionIds(ledSlots);
            Set<String> connected = connectedSessionIds();
            List<String> expired;
            synchronized (sessionLease) {
                expired = sessionLease.expired(withPublishers, connected, System.nanoTime() / 1_000_000);
            }
            for (String sessionId : expired) {
                List<DatumStore.Change> changes = replication.writeAll(st -> st.removeSession(sessionId, ledSlots));
                log.warn("session {} gone for {} ms: removed its {} publishers", sessionId,
                        config.sessionGrace().toMillis(), changes.size());
                changes.forEach(this::notifySessions);
            }
        } catch (RuntimeException e) {
            log.warn("session lease check failed", e);
        }
    }

    // ---- writes (slot leader) ----

    private Object onWrite(RpcConnection connection, WritePublisherRequest request) {
        Publisher p = request.publisher();
        if (p == null || p.dataInfoId() == null) {
            throw new IllegalArgumentException("publisher with a dataInfoId is required");
        }
        DataInfoId id = p.dataInfoId().validate();
        ownership.checkSlot(request.slotId(), id);
        ownership.checkTakenOver(request.slotId(), request.epoch());
        // A registerId belongs to the app that registered it: another app (through any session)
        // cannot take it over. With authentication on, sessions stamp the authenticated app.
        Publisher existing = store.publisher(request.slotId(), id, p.registerId());
        if (existing != null && !java.util.Objects.equals(existing.appName(), p.appName())) {
            throw new dev.registry.common.rpc.RpcException(dev.registry.common.rpc.ErrorCode.FORBIDDEN,
                    "publisher " + p.registerId() + " of " + id + " belongs to another app");
        }
        DatumStore.Change change = replication.write(request.slotId(), st -> st.put(request.slotId(), p));
        notifySessions(change);
        return new WriteResult(change.version(), change.changed());
    }

    private Object onRemove(RpcConnection connection, RemovePublisherRequest request) {
        DataInfoId id = SlotOwnership.requireId(request.dataInfoId());
        if (request.registerId() == null) {
            throw new IllegalArgumentException("registerId is required");
        }
        ownership.checkSlot(request.slotId(), id);
        ownership.checkTakenOver(request.slotId(), request.epoch());
        String connectionId = request.connectionId();
        if (request.leftBehind()) {
            connectionId = leftBehindConnection(connection, request, id);
            if (connectionId == null) {
                return new WriteResult(store.get(request.slotId(), id).version(), false);
            }
        }
        String stamped = connectionId;
        DatumStore.Change change = replication.write(request.slotId(),
                st -> st.remove(request.slotId(), id, request.registerId(), stamped));
        notifySessions(change);
        return new WriteResult(change.version(), change.changed());
    }

    /**
     * The connection stamp of a registration a client unregistered through a session that does
     * not hold it, if it may go: it came through a session no longer connected here (the client
     * moved on from a dead session before re-registering) or through the asking session, and is
     * of the named app (authentication on). Null: nothing of the client's to remove here; a live
     * session withdraws its own registrations when their client's connection closes.
     */
    private String leftBehindConnection(RpcConnection asking, RemovePublisherRequest request, DataInfoId id) {
        Publisher existing = store.publisher(request.slotId(), id, request.registerId());
        if (existing == null || existing.connectionId() == null) {
            return null;
        }
        if (request.appName() != null && !request.appName().equals(existing.appName())) {
            return null;
        }
        String session = existing.sessionId();
        boolean ownSession = session != null && session.equals(asking.attachment(String.class));
        if (!ownSession && connectedSessionIds().contains(session)) {
            return null;
        }
        return existing.connectionId();
    }

    // ---- reads (slot leader, once reconciled) ----

    private Object onFetch(RpcConnection connection, FetchDatumRequest request) {
        DataInfoId id = SlotOwnership.requireId(request.dataInfoId());
        int slot = SlotHash.slotOf(id, config.slotCount());
        if (request.isLocalCopy()) {
            var assignment = tables.current().slot(slot);
            if (!address.equals(assignment.leader()) && !assignment.followers().contains(address)) {
                throw new RpcException(ErrorCode.NOT_LEADER, address + " holds no copy of slot " + slot, tables.epoch());
            }
            return store.get(slot, id);
        }
        reconciliation.checkReadable(slot, request.epoch());
        Datum datum = store.get(slot, id);
        return request.isValuesOnly() ? DatumValues.of(datum) : datum;
    }

    private Object onVersions(RpcConnection connection, DatumVersionsRequest request) {
        if (request.dataInfoIds().size() > 100_000) {
            throw new IllegalArgumentException("at most 100000 ids per versions request");
        }
        for (DataInfoId id : request.dataInfoIds()) {
            ownership.checkSlot(request.slotId(), SlotOwnership.requireId(id));
        }
        reconciliation.checkReadable(request.slotId(), request.epoch());
        return new DatumVersions(new ArrayList<>(store.versionsOf(request.slotId(), request.dataInfoIds())));
    }

    /** A page of the catalog of slots this server leads and serves reads of (else NOT_LEADER / UNAVAILABLE: retry). */
    private Object onCatalog(RpcConnection connection, dev.registry.common.protocol.DataCatalogRequest request) {
        if (request.query() == null) {
            throw new IllegalArgumentException("catalog request needs a query");
        }
        request.query().validated();
        for (int slot : request.slots()) {
            reconciliation.checkReadable(slot, request.epoch());
        }
        return store.catalog(request.slots(), request.query());
    }

    private void notifySessions(DatumStore.Change change) {
        if (!change.changed()) {
            return;
        }
        DataChangeNotice notice = new DataChangeNotice(change.dataInfoId(), change.version(), change.publishers());
        for (RpcConnection session : sessions) {
            session.send(notice);
        }
    }

    // ---- graceful leave ----

    /** Why a drain cannot start now (the only data server, or one without slots), or null if it can. */
    public String drainRefusal() {
        SlotTable table = tables.current();
        if (!table.servers().contains(address)) {
            return "data server " + address + " holds no slots (already drained, or not yet given any)";
        }
        if (table.servers().size() <= 1) {
            return "data server " + address + " is the only one in the slot table: its slots have nowhere to go";
        }
        return null;
    }

    /**
     * Hands this server's slots to others before it stops: asks meta to take it out of the
     * table, waits until a table without it is installed, then until every slot it led is
     * readable on its new leader (reconciled), bounded by {@code timeout}. Without another data
     * server there is nobody to hand off to, and it returns at once.
     */
    public void drain(Duration timeout) {
        if (drainRefusal() != null) {
            return;
        }
        SlotTable table = tables.current();
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Integer> formerlyLed = table.slotsLedBy(address);
        log.info("draining: handing off {} led slots", formerlyLed.size());
        try {
            meta.call(new DataServerLeaving(address)).get(5, TimeUnit.SECONDS);
            while (System.nanoTime() < deadline && tables.current().servers().contains(address)) {
                meta.beat();
                Thread.sleep(100); // polling the table: a bounded wait during shutdown
            }
            for (int slot : formerlyLed) {
                while (System.nanoTime() < deadline && !readableElsewhere(slot)) {
                    Thread.sleep(100);
                }
            }
            log.info("drained: slots handed off");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("drain did not complete cleanly: {}", e.toString());
        }
    }

    private boolean readableElsewhere(int slot) {
        SlotTable t = tables.current();
        String leader = t.slot(slot).leader();
        if (leader == null || leader.equals(address)) {
            return false;
        }
        try {
            peers.get(leader).thenCompose(c -> c.call(new DatumVersionsRequest(t.epoch(), slot, new ArrayList<>()),
                    DatumVersions.class, Duration.ofSeconds(2))).get(3, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Where other nodes reach the admin port (null while it is not up, or off). */
    private String adminAddress() {
        AdminHttpServer a = admin;
        return a == null || a.port() <= 0 ? null
                : a.advertisedAddress(config.adminBindHost(), config.bindHost(), config.advertiseHost());
    }

    /** True once asked to drain: it gives its slots away and leads none. */
    public boolean isDraining() {
        return draining;
    }

    /** This server's identity in the slot table, {@code host:port}. */
    public String address() {
        return address;
    }

    public int port() {
        return rpcServer.port();
    }

    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public SlotTableHolder slotTables() {
        return tables;
    }

    public DatumStore store() {
        return store;
    }

    public SlotReplication replication() {
        return replication;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (meta != null) {
            meta.close();
        }
        if (peers != null) {
            peers.close();
        }
        if (peerClient != null) {
            peerClient.close();
        }
        if (rpcServer != null) {
            rpcServer.close();
        }
        log.info("data server {} stopped", address);
    }
}
