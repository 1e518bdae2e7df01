package dev.registry.data;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.admin.SlotTableJson;
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
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.RemovePublisherRequest;
import dev.registry.common.protocol.ReplicateRequest;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SessionSlotDigestResponse;
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
import dev.registry.data.replication.SlotReplication;
import dev.registry.data.session.ExpectedSessions;
import dev.registry.data.slot.SlotOwnership;
import dev.registry.data.store.DatumStore;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
    private final Map<String, Long> absentSince = new HashMap<>();
    /** Sessions new slot leaders wait for; guarded by itself. */
    private final ExpectedSessions expectedSessions;
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
                .register(FetchDatumRequest.class, this::onFetch)
                .register(DatumVersionsRequest.class, this::onVersions)
                .register(SessionSlotDigestRequest.class, this::onSessionDigest)
                .register(dev.registry.common.protocol.DataCatalogRequest.class, this::onCatalog)
                .register(SlotSyncDone.class, this::onSlotSyncDone)
                .register(ReplicateRequest.class, (conn, req) -> replication.onReplicate(req))
                .register(SlotSnapshotDigestRequest.class, (conn, req) -> replication.digest(req.slotId()))
                .register(FetchDatumsRequest.class, (conn, req) -> replication.datums(req.slotId(), req.dataInfoIds()));
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
        replication = new SlotReplication(address, store, peers, config.replication(), clock::millis);
        meta = new MetaClient("data-" + port, config.metaAddresses(), serializer, tables,
                () -> new DataServerHeartbeat(address, tables.epoch(), adminAddress()), config.heartbeatInterval(), config.rpc().tls());
        ownership = new SlotOwnership(address, tables, meta::refreshSoon);
        tables.addListener(this::onSlotTable);
        meta.start();
        timer.scheduleWithFixedDelay(this::pumpQuietly, 5, 5, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::expireAbsentSessions, 500, 500, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::reportTakeoverProgress, 1, 1, TimeUnit.SECONDS);
        if (config.adminPort() >= 0) {
            admin = new AdminHttpServer("data", config.adminToken(), config.rpc().tls()); // HTTPS with the node certificate
            registerAdminRoutes(admin);
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

    private Set<String> connectedSessionIds() {
        Set<String> out = new HashSet<>();
        for (RpcConnection c : sessions) {
            String id = c.attachment(String.class);
            if (id != null && c.isActive()) {
                out.add(id);
            }
        }
        return out;
    }

    /** The sessions a newly led slot waits for: live ones by meta's word, plus those connected here. */
    private Set<String> expectedSessions() {
        HeartbeatResponse last = meta.lastResponse();
        List<String> metaList = last == null ? null : last.sessionServers();
        if (metaList == null) {
            meta.refreshSoon(); // the table came by push first: ask for the member list now
        }
        boolean complete = last != null && !last.sessionListIncomplete();
        synchronized (expectedSessions) {
            return expectedSessions.expected(connectedSessionIds(), metaList, complete, clock.millis());
        }
    }

    /**
     * The session lease: a session with publishers in slots led here and no connection for the
     * whole grace period is dead; its clients' publishers go (they re-registered elsewhere if alive).
     */
    /** Timer thread only: slots led but not yet serving reads at the last report. */
    private int lastWaitingSlots;
    private long waitingSince;

    /**
     * Migration progress for operators: while led slots wait for the sessions' reconciliation
     * before serving reads, one line a second when the count changes, and one when all serve.
     */
    private void reportTakeoverProgress() {
        try {
            // Observes only: slots turn readable on the read path, as they always did.
            Set<Integer> led = replication.ledSlots();
            int waiting = 0;
            for (int slot : led) {
                if (!replication.servesReads(slot)) {
                    waiting++;
                }
            }
            int sessions = connectedSessionIds().size();
            if (waiting != lastWaitingSlots) {
                if (waiting > 0) {
                    if (lastWaitingSlots == 0) {
                        waitingSince = clock.millis();
                    }
                    log.info("taking over slots: {} of {} led slots serve reads, {} wait for the sessions ({} connected) "
                            + "to reconcile", led.size() - waiting, led.size(), waiting, sessions);
                } else {
                    log.info("all {} led slots serve reads ({} ms after the takeover began)", led.size(),
                            clock.millis() - waitingSince);
                }
                lastWaitingSlots = waiting;
            }
        } catch (RuntimeException e) {
            log.debug("takeover progress report failed: {}", e.toString());
        }
    }

    private void expireAbsentSessions() {
        try {
            Set<Integer> ledSlots = replication.ledSlots();
            Set<String> withPublishers = store.sessionIds(ledSlots);
            Set<String> connected = connectedSessionIds();
            long now = clock.millis();
            List<String> expired = new ArrayList<>();
            synchronized (absentSince) {
                absentSince.keySet().retainAll(withPublishers);
                for (String s : withPublishers) {
                    if (connected.contains(s)) {
                        absentSince.remove(s);
                    } else {
                        long since = absentSince.computeIfAbsent(s, x -> now);
                        if (now - since >= config.sessionGrace().toMillis()) {
                            expired.add(s);
                            absentSince.remove(s);
                        }
                    }
                }
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
        checkSlot(request.slotId(), id);
        checkLeaderAndNotDraining(request.slotId(), request.epoch());
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
        DataInfoId id = requireId(request.dataInfoId());
        if (request.registerId() == null) {
            throw new IllegalArgumentException("registerId is required");
        }
        checkSlot(request.slotId(), id);
        checkLeaderAndNotDraining(request.slotId(), request.epoch());
        DatumStore.Change change = replication.write(request.slotId(),
                st -> st.remove(request.slotId(), id, request.registerId(), request.connectionId()));
        notifySessions(change);
        return new WriteResult(change.version(), change.changed());
    }

    private void checkLeaderAndNotDraining(int slot, long epoch) {
        ownership.checkLeader(slot, epoch);
        if (!replication.leads(slot)) {
            throw new RpcException(ErrorCode.NOT_LEADER, address + " is taking over slot " + slot + "; retry",
                    tables.epoch());
        }
    }

    // ---- reads (slot leader, once reconciled) ----

    private Object onFetch(RpcConnection connection, FetchDatumRequest request) {
        DataInfoId id = requireId(request.dataInfoId());
        int slot = SlotHash.slotOf(id, config.slotCount());
        if (request.isLocalCopy()) {
            var assignment = tables.current().slot(slot);
            if (!address.equals(assignment.leader()) && !assignment.followers().contains(address)) {
                throw new RpcException(ErrorCode.NOT_LEADER, address + " holds no copy of slot " + slot, tables.epoch());
            }
            return store.get(slot, id);
        }
        checkReadable(slot, request.epoch());
        Datum datum = store.get(slot, id);
        return request.isValuesOnly() ? DatumValues.of(datum) : datum;
    }

    private Object onVersions(RpcConnection connection, DatumVersionsRequest request) {
        if (request.dataInfoIds().size() > 100_000) {
            throw new IllegalArgumentException("at most 100000 ids per versions request");
        }
        for (DataInfoId id : request.dataInfoIds()) {
            checkSlot(request.slotId(), requireId(id));
        }
        checkReadable(request.slotId(), request.epoch());
        return new DatumVersions(new ArrayList<>(store.versionsOf(request.slotId(), request.dataInfoIds())));
    }

    private void checkReadable(int slot, long epoch) {
        ownership.checkLeader(slot, epoch);
        if (!replication.isReadable(slot, expectedSessions())) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "slot " + slot + " on " + address
                    + " is reconciling with the sessions after a leader change; retry shortly", tables.epoch());
        }
    }

    /** A page of the catalog of slots this server leads and serves reads of (else NOT_LEADER / UNAVAILABLE: retry). */
    private Object onCatalog(RpcConnection connection, dev.registry.common.protocol.DataCatalogRequest request) {
        if (request.query() == null) {
            throw new IllegalArgumentException("catalog request needs a query");
        }
        request.query().validated();
        for (int slot : request.slots()) {
            checkReadable(slot, request.epoch());
        }
        return store.catalog(request.slots(), request.query());
    }

    // ---- session reconciliation of a led slot ----

    private Object onSessionDigest(RpcConnection connection, SessionSlotDigestRequest request) {
        int slot = request.slotId();
        checkLeaderAndNotDraining(slot, request.epoch());
        if (request.summaryOnly()) {
            if (request.sessionId() == null) {
                throw new IllegalArgumentException("digest needs a sessionId");
            }
            long tenure = replication.tenure(slot);
            if (!store.sessionSummaryMatches(slot, request.sessionId(), request.summaryCount(), request.summaryXor())) {
                return SessionSlotDigestResponse.summaryMismatched();
            }
            replication.onSessionDigested(slot, request.sessionId(), tenure);
            return SessionSlotDigestResponse.summaryMatched();
        }
        long tenure = replication.tenure(slot);
        SessionSlotDigestResponse answer = dev.registry.data.session.SessionDigestCheck.compare(request,
                store.publishersOfSession(slot, request.sessionId()), id -> {
                    DataInfoId checked = requireId(id);
                    checkSlot(slot, checked);
                    return checked;
                });
        // The session counts as digested once its last page is answered in this tenure after all
        // the earlier ones, and nothing was left out of an answer.
        replication.onSessionDigestPage(slot, request.sessionId(), tenure, request.from(), request.to(),
                answer.extrasTruncated());
        return answer;
    }

    private Object onSlotSyncDone(RpcConnection connection, SlotSyncDone done) {
        checkLeaderAndNotDraining(done.slotId(), done.epoch());
        replication.onSessionSynced(done.slotId(), done.sessionId());
        return new WriteResult(0, false);
    }

    private static DataInfoId requireId(DataInfoId id) {
        if (id == null) {
            throw new IllegalArgumentException("dataInfoId is required");
        }
        return id.validate();
    }

    private void checkSlot(int slotId, DataInfoId id) {
        int expected = SlotHash.slotOf(id, config.slotCount());
        if (slotId != expected) {
            throw new IllegalArgumentException(id + " belongs to slot " + expected + ", not " + slotId);
        }
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

    /**
     * Hands this server's slots to others before it stops: asks meta to take it out of the
     * table, waits until a table without it is installed, then until every slot it led is
     * readable on its new leader (reconciled), bounded by {@code timeout}. Without another data
     * server there is nobody to hand off to, and it returns at once.
     */
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

    // ---- admin ----

    private void registerAdminRoutes(AdminHttpServer http) {
        http.get("/health", r -> AdminResponse.ok(Map.of("status", "UP", "role", "data", "address", address)));
        http.get("/health/ready", r -> {
            boolean ready = tables.epoch() > 0 && meta.isConnected() && !draining;
            return new AdminResponse(ready ? 200 : 503, Map.of("ready", ready, "slotTableEpoch", tables.epoch(),
                    "metaConnected", meta.isConnected(), "draining", draining), null);
        });
        http.get("/api/v1/slot-table", r -> AdminResponse.ok(SlotTableJson.of(tables.current(), address)));
        http.get("/metrics", r -> AdminResponse.text(200, metricsText(), "text/plain; version=0.0.4"));
        dev.registry.common.admin.CommonAdminRoutes.register(http, "data");
        http.get("/api/v1/slots", r -> {
            Map<Integer, Integer> counts = store.publisherCounts();
            List<Map<String, Object>> slots = new ArrayList<>();
            for (SlotReplication.SlotView v : replication.view()) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("slot", v.slot());
                m.put("role", v.role());
                m.put("publishers", counts.getOrDefault(v.slot(), 0));
                m.put("logId", v.logId());
                if (v.role().equals("leader")) {
                    m.put("lastSeq", v.lastSeq());
                    // Decided as a read would decide it now (the gate opens lazily, on the first read after it may).
                    m.put("readable", v.readable() || replication.isReadable(v.slot(), expectedSessions()));
                    m.put("replicationLagOps", v.lagEntries());
                    m.put("replicationLagMillis", v.lagMillis());
                } else {
                    m.put("leader", v.leader());
                    m.put("appliedSeq", v.appliedSeq());
                    m.put("snapshotting", v.snapshotting());
                }
                slots.add(m);
            }
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("address", address);
            out.put("slotTableEpoch", tables.epoch());
            out.put("publishers", store.publisherCount());
            out.put("slots", slots);
            return AdminResponse.ok(out);
        });
        http.post("/api/v1/drain", r -> {
            String refusal = drainRefusal();
            if (refusal != null) {
                return AdminResponse.error(409, refusal);
            }
            CompletableFuture.runAsync(() -> drain(Duration.ofSeconds(60)));
            return AdminResponse.ok(Map.of("draining", true));
        });
    }

    private String metricsText() {
        StringBuilder out = new StringBuilder();
        dev.registry.common.rpc.RpcMetrics.appendPrometheus(out, rpcServer.metrics(), peerClient.metrics());
        dev.registry.common.metrics.JvmMetrics.appendPrometheus(out);
        gauge(out, "registry_data_publishers", store.publisherCount());
        gauge(out, "registry_data_slots_led", replication.ledSlots().size());
        gauge(out, "registry_data_slots_followed", replication.followedSlots());
        gauge(out, "registry_data_replication_lag_entries", replication.maxReplicationLag());
        gauge(out, "registry_data_slot_table_epoch", tables.epoch());
        gauge(out, "registry_data_sessions", sessions.size());
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, long value) {
        out.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
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
