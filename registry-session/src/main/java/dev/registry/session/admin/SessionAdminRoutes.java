package dev.registry.session.admin;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.admin.CommonAdminRoutes;
import dev.registry.common.admin.SlotTableJson;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.SessionServerConfig;
import dev.registry.session.balance.ClientMigration;
import dev.registry.session.balance.ConnectionBalancer;
import dev.registry.session.damping.ClientLinkDamping;
import dev.registry.session.link.DataServerLinks;
import dev.registry.session.push.PushEngine;
import dev.registry.session.push.PushTarget;
import dev.registry.session.push.SubscriberRegistry;
import dev.registry.session.store.SessionPublisherStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The session's own admin routes: health and readiness, its slot table, the sessions and
 * members it knows of, metrics, its registrations and connections, and the operators' actions
 * on it (drain, client-off, push stop). The cluster-wide reads are {@link SessionConsoleRoutes}.
 */
public final class SessionAdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(SessionAdminRoutes.class);

    private final String sessionId;
    private final SessionServerConfig config;
    private final SlotTableHolder tables;
    private final DataServerLinks links;
    private final MetaClient meta;
    private final SessionPublisherStore publishers;
    private final SubscriberRegistry<PushTarget> subscribers;
    private final PushEngine push;
    private final ClientLinkDamping damping;
    private final RpcServer clientServer;
    private final ClientMigration migration;
    private final SessionSwitches switches;
    private final SessionMetrics metrics;
    private final Consumer<Duration> drain;
    private final Supplier<String> adminAddress;

    /**
     * @param clientServer the session's own client port
     * @param drain        the session's graceful drain, with its timeout
     * @param adminAddress where other sessions reach this admin port (null while unknown)
     */
    public SessionAdminRoutes(String sessionId, SessionServerConfig config, SlotTableHolder tables, DataServerLinks links,
                              MetaClient meta, SessionPublisherStore publishers, SubscriberRegistry<PushTarget> subscribers,
                              PushEngine push, ClientLinkDamping damping, RpcServer clientServer,
                              ClientMigration migration, SessionSwitches switches, SessionMetrics metrics,
                              Consumer<Duration> drain, Supplier<String> adminAddress) {
        this.sessionId = sessionId;
        this.config = config;
        this.tables = tables;
        this.links = links;
        this.meta = meta;
        this.publishers = publishers;
        this.subscribers = subscribers;
        this.push = push;
        this.damping = damping;
        this.clientServer = clientServer;
        this.migration = migration;
        this.switches = switches;
        this.metrics = metrics;
        this.drain = drain;
        this.adminAddress = adminAddress;
    }

    public void register(AdminHttpServer http) {
        http.get("/health", r -> AdminResponse.ok(Map.of("status", "UP", "role", "session", "sessionId", sessionId)));
        http.get("/health/ready", r -> {
            boolean tableReady = tables.current().isComplete();
            boolean dataReady = links.allLeadersConnected();
            boolean ready = tableReady && dataReady && !migration.isDraining();
            return new AdminResponse(ready ? 200 : 503, Map.of("ready", ready, "slotTableEpoch", tables.epoch(),
                    "slotTableComplete", tableReady, "dataServersConnected", dataReady, "draining",
                    migration.isDraining()), null);
        });
        http.get("/api/v1/slot-table", r -> AdminResponse.ok(SlotTableJson.of(tables.current(), sessionId)));
        http.get("/api/v1/servers", r -> AdminResponse.ok(serversJson()));
        http.get("/api/v1/members", r -> AdminResponse.ok(membersJson()));
        http.get("/metrics", r -> AdminResponse.text(200, metrics.text(), "text/plain; version=0.0.4"));
        CommonAdminRoutes.register(http, "session");
        http.post("/api/v1/drain", r -> {
            CompletableFuture.runAsync(() -> drain.accept(Duration.ofSeconds(30)));
            return AdminResponse.ok(Map.of("draining", true));
        });
        http.get("/api/v1/data-infos", r -> {
            int page = r.intParam("page", 0, 0, Integer.MAX_VALUE);
            int size = r.intParam("size", 100, 1, 1000);
            TreeMap<String, int[]> counts = new TreeMap<>();
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
        http.post("/api/v1/client-off", r -> AdminResponse.ok(switches.setClientOff(r.requireIpParam("ip"), true)));
        http.post("/api/v1/client-on", r -> AdminResponse.ok(switches.setClientOff(r.requireIpParam("ip"), false)));
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
        Map<String, Integer> counts = new TreeMap<>();
        if (last != null && last.sessionConnections() != null) {
            counts.putAll(last.sessionConnections());
        } else if (last != null && last.sessionServers() != null) {
            last.sessionServers().forEach(s -> counts.put(s, -1));
        }
        counts.put(sessionId, migration.clientLoad());
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
        balance.put("clientsAskedToMove", migration.clientsAskedToMove());
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
        TreeSet<String> dataServers = new TreeSet<>(table.servers());
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
        TreeSet<String> sessions = new TreeSet<>();
        sessions.add(sessionId);
        if (last != null && last.sessionServers() != null) {
            sessions.addAll(last.sessionServers());
        }
        Map<String, Integer> counts = last == null || last.sessionConnections() == null ? Map.of() : last.sessionConnections();
        Map<String, String> adminAddresses = last == null ? Map.of() : last.sessionAdminAddresses();
        out.put("sessionServers", sessions.stream().map(s -> {
            int clients = s.equals(sessionId) ? migration.clientLoad() : counts.getOrDefault(s, -1);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", s);
            m.put("self", s.equals(sessionId));
            m.put("state", clients >= 0 ? "UP" : "NOT_TAKING_CLIENTS");
            m.put("clientConnections", Math.max(clients, 0));
            m.put("adminAddress", s.equals(sessionId) ? adminAddress.get() : adminAddresses.get(s));
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
        out.put("pushPaused", push.isPaused());
        out.put("draining", migration.isDraining());
        return out;
    }
}
