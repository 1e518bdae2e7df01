package dev.registry.meta;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.admin.SlotTableJson;
import dev.registry.common.protocol.DataServerHeartbeat;
import dev.registry.common.protocol.DataServerLeaving;
import dev.registry.common.protocol.GetSlotTableRequest;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.SessionServerHeartbeat;
import dev.registry.common.protocol.SlotTableChanged;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.membership.Leases;
import dev.registry.meta.slot.SlotBalancer;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bootstrap of the meta role: membership of data and session servers by heartbeat leases,
 * and the slot table computed by {@link SlotBalancer} whenever data membership changes,
 * pushed to every member (members also pull it with each heartbeat).
 *
 * <p>Threading: membership and the table are guarded by {@code this}; pushes are sent after
 * the lock is released.
 */
public final class MetaServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetaServer.class);

    private final MetaServerConfig config;
    private final Clock clock;
    private final SlotBalancer balancer;
    private final Leases<String> dataLeases;
    private final Leases<String> sessionLeases;
    private final Map<String, RpcConnection> memberConnections = new HashMap<>();
    /** Data servers draining: still heartbeating, but kept out of the table until they disconnect. */
    private final Map<String, RpcConnection> leaving = new HashMap<>();
    private SlotTable table;
    private boolean adopting;
    private RpcServer rpcServer;
    private AdminHttpServer admin;
    private ScheduledExecutorService timer;

    public MetaServer(MetaServerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.balancer = new SlotBalancer(config.replicas());
        this.dataLeases = new Leases<>(config.dataLease());
        this.sessionLeases = new Leases<>(config.sessionLease());
        this.table = SlotTable.initial(config.slotCount());
    }

    public MetaServer start() {
        HandlerRegistry handlers = new HandlerRegistry()
                .register(DataServerHeartbeat.class, this::onDataHeartbeat)
                .register(SessionServerHeartbeat.class, this::onSessionHeartbeat)
                .register(GetSlotTableRequest.class, (conn, req) -> slotTable())
                .register(DataServerLeaving.class, this::onDataLeaving);
        rpcServer = new RpcServer("meta", config.rpc(), WireClasses.serializer(), handlers, new ConnectionListener() {
            @Override
            public void onDisconnected(RpcConnection connection) {
                SlotTable changed = null;
                synchronized (MetaServer.this) {
                    memberConnections.values().remove(connection);
                    // A leaving server that disconnected has exited; if it comes back it is a new member.
                    if (leaving.values().remove(connection)) {
                        changed = rebalance();
                    }
                }
                if (changed != null) {
                    push(changed);
                }
            }
        });
        rpcServer.start(config.bindHost(), config.port());
        timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meta-leases", true));
        timer.scheduleWithFixedDelay(this::expireLeases, 200, 200, TimeUnit.MILLISECONDS);
        if (config.adminPort() >= 0) {
            admin = new AdminHttpServer("meta");
            registerAdminRoutes(admin);
            admin.start(config.bindHost(), config.adminPort());
        }
        log.info("meta server started on {}", rpcServer.address());
        return this;
    }

    private Object onDataHeartbeat(RpcConnection connection, DataServerHeartbeat hb) {
        String address = requireAddress(hb.address());
        SlotTable changed = null;
        HeartbeatResponse response;
        if (hb.knownEpoch() > slotTable().epoch()) {
            adoptNewerTable(connection, hb.knownEpoch());
        }
        synchronized (this) {
            memberConnections.put(address, connection);
            if (dataLeases.renew(address, clock.millis())) {
                log.info("data server {} joined", address);
                changed = rebalance();
            }
            response = response(hb.knownEpoch());
        }
        if (changed != null) {
            push(changed);
        }
        return response;
    }

    private Object onDataLeaving(RpcConnection connection, DataServerLeaving request) {
        String address = requireAddress(request.address());
        SlotTable changed;
        HeartbeatResponse response;
        synchronized (this) {
            leaving.put(address, connection);
            log.info("data server {} is leaving; handing its slots to the others", address);
            changed = rebalance();
            response = response(Long.MIN_VALUE);
        }
        if (changed != null) {
            push(changed);
        }
        return response;
    }

    /**
     * A member knows a newer table than this meta (meta restarted and lost its state): take the
     * member's table as the starting point, so the restart moves no slots, and continue its epochs.
     */
    private void adoptNewerTable(RpcConnection member, long memberEpoch) {
        synchronized (this) {
            if (adopting) {
                return;
            }
            adopting = true;
        }
        member.call(new GetSlotTableRequest(), SlotTable.class, java.time.Duration.ofSeconds(3)).whenComplete((t, e) -> {
            SlotTable changed = null;
            synchronized (this) {
                adopting = false;
                if (e == null && t != null && t.epoch() > table.epoch() && t.slotCount() == table.slotCount()) {
                    log.warn("adopting slot table epoch {} from {} (this meta had epoch {})", t.epoch(),
                            member.remoteAddress(), table.epoch());
                    table = t;
                    changed = rebalance();
                    if (changed == null) {
                        changed = table;
                    }
                } else if (e != null) {
                    log.warn("cannot fetch the newer slot table (epoch {}) from {}: {}", memberEpoch,
                            member.remoteAddress(), e.getMessage());
                }
            }
            if (changed != null) {
                push(changed);
            }
        });
    }

    private Object onSessionHeartbeat(RpcConnection connection, SessionServerHeartbeat hb) {
        String address = requireAddress(hb.address());
        if (hb.knownEpoch() > slotTable().epoch()) {
            adoptNewerTable(connection, hb.knownEpoch());
        }
        synchronized (this) {
            memberConnections.put(address, connection);
            if (sessionLeases.renew(address, clock.millis())) {
                log.info("session server {} joined", address);
            }
            return response(hb.knownEpoch());
        }
    }

    private static String requireAddress(String address) {
        if (address == null || address.isBlank() || address.lastIndexOf(':') < 1) {
            throw new IllegalArgumentException("heartbeat needs a host:port address, got '" + address + "'");
        }
        return address;
    }

    private HeartbeatResponse response(long knownEpoch) {
        return new HeartbeatResponse(table.epoch(), knownEpoch < table.epoch() ? table : null,
                new ArrayList<>(dataLeases.members()), new ArrayList<>(sessionLeases.members()));
    }

    private void expireLeases() {
        SlotTable changed = null;
        synchronized (this) {
            long now = clock.millis();
            Set<String> goneData = dataLeases.expire(now);
            Set<String> goneSessions = sessionLeases.expire(now);
            goneData.forEach(a -> log.warn("data server {} missed its lease; removing it from the slot table", a));
            goneSessions.forEach(a -> log.warn("session server {} missed its lease", a));
            goneData.forEach(memberConnections::remove);
            goneData.forEach(leaving::remove);
            goneSessions.forEach(memberConnections::remove);
            if (!goneData.isEmpty()) {
                changed = rebalance();
            }
        }
        if (changed != null) {
            push(changed);
        }
    }

    /** Recomputes the table; returns it if it changed. Caller holds the lock. */
    private SlotTable rebalance() {
        Set<String> members = new java.util.TreeSet<>(dataLeases.members());
        members.removeAll(leaving.keySet());
        if (members.isEmpty() && !leaving.isEmpty()) {
            return null; // never hand the last server's slots to nobody
        }
        SlotTable next = balancer.balance(table, members);
        if (next.epoch() == table.epoch()) {
            return null;
        }
        log.info("slot table epoch {} -> {} for data servers {}", table.epoch(), next.epoch(), dataLeases.members());
        table = next;
        return next;
    }

    private void push(SlotTable t) {
        List<RpcConnection> targets;
        synchronized (this) {
            targets = new ArrayList<>(memberConnections.values());
        }
        SlotTableChanged message = new SlotTableChanged(t);
        for (RpcConnection c : targets) {
            c.send(message);
        }
    }

    public synchronized SlotTable slotTable() {
        return table;
    }

    public synchronized Set<String> dataServers() {
        return dataLeases.members();
    }

    public synchronized Set<String> sessionServers() {
        return sessionLeases.members();
    }

    public int port() {
        return rpcServer.port();
    }

    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    private void registerAdminRoutes(AdminHttpServer http) {
        http.get("/health", r -> AdminResponse.ok(Map.of("status", "UP", "role", "meta")));
        http.get("/health/ready", r -> AdminResponse.ok(Map.of("ready", true, "role", "meta", "leader", true)));
        http.get("/api/v1/slot-table", r -> AdminResponse.ok(SlotTableJson.of(slotTable(), null)));
        http.get("/api/v1/members", r -> {
            Map<String, Object> out = new LinkedHashMap<>();
            synchronized (this) {
                out.put("slotTableEpoch", table.epoch());
                out.put("dataServers", List.copyOf(dataLeases.members()));
                out.put("sessionServers", List.copyOf(sessionLeases.members()));
            }
            return AdminResponse.ok(out);
        });
        http.get("/metrics", r -> {
            StringBuilder out = new StringBuilder();
            rpcServer.metrics().appendPrometheus(out);
            synchronized (this) {
                out.append("# TYPE registry_meta_data_servers gauge\nregistry_meta_data_servers ")
                        .append(dataLeases.members().size()).append('\n');
                out.append("# TYPE registry_meta_session_servers gauge\nregistry_meta_session_servers ")
                        .append(sessionLeases.members().size()).append('\n');
                out.append("# TYPE registry_meta_slot_table_epoch gauge\nregistry_meta_slot_table_epoch ")
                        .append(table.epoch()).append('\n');
            }
            return AdminResponse.text(200, out.toString(), "text/plain; version=0.0.4");
        });
    }

    /** Not synchronized: closing waits for I/O threads, whose disconnect callbacks take the lock. */
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (rpcServer != null) {
            rpcServer.close();
        }
        log.info("meta server stopped");
    }
}
