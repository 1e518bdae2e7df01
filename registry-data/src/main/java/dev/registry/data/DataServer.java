package dev.registry.data;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.admin.SlotTableJson;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.DataChangeNotice;
import dev.registry.common.protocol.DataServerHeartbeat;
import dev.registry.common.protocol.DatumVersions;
import dev.registry.common.protocol.DatumVersionsRequest;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.protocol.RemovePublisherRequest;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.protocol.WritePublisherRequest;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.serialize.Serializer;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.data.slot.SlotOwnership;
import dev.registry.data.store.DatumStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bootstrap of the data role: holds the publisher lists of the slots it leads, accepts
 * writes from sessions only for those slots, serves datum fetches, and notifies sessions of
 * every change. Start order: store, RPC server, meta link, admin; stop in reverse.
 */
public final class DataServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataServer.class);

    private final DataServerConfig config;
    private final Serializer serializer = WireClasses.serializer();
    private final DatumStore store;
    private final SlotTableHolder tables;
    private final Set<RpcConnection> sessions = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService timer;
    private RpcServer rpcServer;
    private MetaClient meta;
    private AdminHttpServer admin;
    private SlotOwnership ownership;
    private String address;

    public DataServer(DataServerConfig config, Clock clock) {
        this.config = config;
        this.store = new DatumStore(clock::millis);
        this.tables = new SlotTableHolder(config.slotCount());
    }

    public synchronized DataServer start() {
        timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("data-timer", true));
        HandlerRegistry handlers = new HandlerRegistry()
                .register(SessionHello.class, this::onSessionHello)
                .register(WritePublisherRequest.class, this::onWrite)
                .register(RemovePublisherRequest.class, this::onRemove)
                .register(FetchDatumRequest.class, this::onFetch)
                .register(DatumVersionsRequest.class, this::onVersions);
        rpcServer = new RpcServer("data", config.rpc(), serializer, handlers, new ConnectionListener() {
            @Override
            public void onDisconnected(RpcConnection connection) {
                if (sessions.remove(connection)) {
                    String sessionId = connection.attachment(String.class);
                    log.info("session {} disconnected; its publishers go in {} ms unless it reconnects", sessionId,
                            config.sessionGrace().toMillis());
                    timer.schedule(() -> expireSession(sessionId), config.sessionGrace().toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
        });
        int port = rpcServer.start(config.bindHost(), config.port()).getPort();
        address = config.advertiseHost() + ":" + port;
        meta = new MetaClient("data-" + port, config.metaAddresses(), serializer, tables,
                () -> new DataServerHeartbeat(address, tables.epoch()), config.heartbeatInterval());
        ownership = new SlotOwnership(address, tables, meta::refreshSoon);
        tables.addListener((old, now) -> log.info("slot table epoch {} -> {}: leading {} slots", old.epoch(),
                now.epoch(), now.slotsLedBy(address).size()));
        meta.start();
        if (config.adminPort() >= 0) {
            admin = new AdminHttpServer("data");
            registerAdminRoutes(admin);
            admin.start(config.bindHost(), config.adminPort());
        }
        log.info("data server {} started", address);
        return this;
    }

    private Object onSessionHello(RpcConnection connection, SessionHello hello) {
        connection.setAttachment(hello.sessionId());
        sessions.add(connection);
        log.info("session {} connected from {}", hello.sessionId(), connection.remoteAddress());
        return new WriteResult(0, false);
    }

    /** The session's lease: gone for the whole grace period means its clients' publishers go too. */
    private void expireSession(String sessionId) {
        boolean back = sessions.stream().anyMatch(c -> sessionId.equals(c.attachment(String.class)));
        if (back) {
            return;
        }
        List<DatumStore.Change> changes = store.removeSession(sessionId);
        if (!changes.isEmpty()) {
            log.warn("session {} did not come back within the grace period: removed its publishers from {} ids",
                    sessionId, changes.size());
        }
        changes.forEach(this::notifySessions);
    }

    private Object onWrite(RpcConnection connection, WritePublisherRequest request) {
        if (request.publisher() == null) {
            throw new IllegalArgumentException("publisher is required");
        }
        DataInfoId id = request.publisher().dataInfoId().validate();
        checkSlot(request.slotId(), id);
        ownership.checkLeader(request.slotId(), request.epoch());
        DatumStore.Change change = store.put(request.slotId(), request.publisher());
        notifySessions(change);
        return new WriteResult(change.version(), change.changed());
    }

    private Object onRemove(RpcConnection connection, RemovePublisherRequest request) {
        DataInfoId id = requireId(request.dataInfoId());
        if (request.registerId() == null) {
            throw new IllegalArgumentException("registerId is required");
        }
        checkSlot(request.slotId(), id);
        ownership.checkLeader(request.slotId(), request.epoch());
        DatumStore.Change change = store.remove(request.slotId(), id, request.registerId(), request.connectionId());
        notifySessions(change);
        return new WriteResult(change.version(), change.changed());
    }

    private Object onFetch(RpcConnection connection, FetchDatumRequest request) {
        DataInfoId id = requireId(request.dataInfoId());
        int slot = SlotHash.slotOf(id, config.slotCount());
        ownership.checkLeader(slot, request.epoch());
        return store.get(slot, id);
    }

    private Object onVersions(RpcConnection connection, DatumVersionsRequest request) {
        if (request.dataInfoIds().size() > 100_000) {
            throw new IllegalArgumentException("at most 100000 ids per versions request");
        }
        for (DataInfoId id : request.dataInfoIds()) {
            checkSlot(request.slotId(), requireId(id));
        }
        ownership.checkLeader(request.slotId(), request.epoch());
        return new DatumVersions(new ArrayList<>(store.versionsOf(request.slotId(), request.dataInfoIds())));
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
        DataChangeNotice notice = new DataChangeNotice(change.dataInfoId(), change.version());
        for (RpcConnection session : sessions) {
            session.send(notice);
        }
    }

    private void registerAdminRoutes(AdminHttpServer http) {
        http.get("/health", r -> AdminResponse.ok(Map.of("status", "UP", "role", "data", "address", address)));
        http.get("/health/ready", r -> {
            boolean ready = tables.epoch() > 0 && meta.isConnected();
            return new AdminResponse(ready ? 200 : 503, Map.of("ready", ready, "slotTableEpoch", tables.epoch(),
                    "metaConnected", meta.isConnected()), null);
        });
        http.get("/api/v1/slot-table", r -> AdminResponse.ok(SlotTableJson.of(tables.current(), address)));
        http.get("/metrics", r -> AdminResponse.text(200, metricsText(), "text/plain; version=0.0.4"));
    }

    private String metricsText() {
        StringBuilder out = new StringBuilder();
        rpcServer.metrics().appendPrometheus(out);
        out.append("# TYPE registry_data_publishers gauge\nregistry_data_publishers ").append(store.publisherCount()).append('\n');
        out.append("# TYPE registry_data_slots_led gauge\nregistry_data_slots_led ")
                .append(tables.current().slotsLedBy(address).size()).append('\n');
        out.append("# TYPE registry_data_slot_table_epoch gauge\nregistry_data_slot_table_epoch ").append(tables.epoch()).append('\n');
        out.append("# TYPE registry_data_sessions gauge\nregistry_data_sessions ").append(sessions.size()).append('\n');
        return out.toString();
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

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
        }
        if (meta != null) {
            meta.close();
        }
        if (rpcServer != null) {
            rpcServer.close();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        log.info("data server {} stopped", address);
    }
}
