package dev.registry.meta.admin;

import dev.registry.common.metrics.PrometheusText;
import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.admin.CommonAdminRoutes;
import dev.registry.common.admin.SlotTableJson;
import dev.registry.common.metrics.JvmMetrics;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.MetaServerConfig;
import dev.registry.meta.leader.LeaderState;
import dev.registry.meta.lease.LeaderElection;
import dev.registry.meta.lease.LeaseRecord;
import dev.registry.meta.membership.ClusterMembership;
import dev.registry.meta.store.MetaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The meta node's admin HTTP API: health and leadership, the slot table, the members, the
 * operational switches and metrics. Every meta node answers: a follower shows the table a new
 * leader would start from, and writes switch changes to the database, where the leader picks
 * them up. The JSON fields and status codes are documented in docs/operations.md.
 */
public final class MetaAdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(MetaAdminRoutes.class);

    private final String address;
    private final MetaServerConfig config;
    private final MetaStore store;
    private final LeaderElection election;
    private final LeaderState leader;
    private final RpcServer rpcServer;

    /** @param address this node's meta RPC address, as written into the lease */
    public MetaAdminRoutes(String address, MetaServerConfig config, MetaStore store, LeaderElection election,
                           LeaderState leader, RpcServer rpcServer) {
        this.address = address;
        this.config = config;
        this.store = store;
        this.election = election;
        this.leader = leader;
        this.rpcServer = rpcServer;
    }

    public void register(AdminHttpServer http) {
        CommonAdminRoutes.register(http, "meta");
        http.get("/health", r -> AdminResponse.ok(Map.of("status", "UP", "role", "meta")));
        // A follower is healthy too: ready means this node takes part (it can reach the database).
        http.get("/health/ready", r -> {
            boolean databaseReachable = election.lastError() == null;
            Map<String, Object> out = leaderInfo();
            out.put("ready", databaseReachable);
            return new AdminResponse(databaseReachable ? 200 : 503, out, null);
        });
        http.get("/api/v1/leader", r -> AdminResponse.ok(leaderInfo()));
        http.get("/api/v1/slot-table", r -> {
            if (leader.isLeader()) {
                return AdminResponse.ok(tableJson(leader.slotTable(), "leader"));
            }
            Optional<SlotTable> saved = store.loadSlotTable(); // a follower shows what a new leader would start from
            return AdminResponse.ok(tableJson(saved.orElse(SlotTable.initial(config.slotCount())), "database"));
        });
        http.get("/api/v1/members", r -> AdminResponse.ok(membersJson()));
        http.get("/api/v1/switches", r -> AdminResponse.ok(switchesJson(store.loadSwitches())));
        http.post("/api/v1/client-off", r -> {
            String ip = r.requireIpParam("ip");
            log.warn("client-off for ip {} by an admin request", ip);
            return AdminResponse.ok(switchesJson(changeSwitches(s -> s.withClientOff(ip, true))));
        });
        http.post("/api/v1/client-on", r -> {
            String ip = r.requireIpParam("ip");
            log.info("client-on for ip {} by an admin request", ip);
            return AdminResponse.ok(switchesJson(changeSwitches(s -> s.withClientOff(ip, false))));
        });
        http.post("/api/v1/push/stop", r -> {
            log.warn("pushes stopped on every session by an admin request");
            return AdminResponse.ok(switchesJson(changeSwitches(s -> s.withPushStopped(true))));
        });
        http.post("/api/v1/push/resume", r -> {
            log.info("pushes resumed on every session by an admin request");
            return AdminResponse.ok(switchesJson(changeSwitches(s -> s.withPushStopped(false))));
        });
        http.get("/metrics", r -> AdminResponse.text(200, metricsText(), "text/plain; version=0.0.4"));
    }

    /** Writes the change to the database (any meta node may), and serves it at once if leading. */
    private OperationalSwitches changeSwitches(UnaryOperator<OperationalSwitches> change) {
        OperationalSwitches stored = store.updateSwitches(change);
        leader.adoptSwitches(stored);
        return stored;
    }

    private Map<String, Object> membersJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        LeaderState.View view = leader.view(); // one instant: the table and the members agree
        SlotTable table = view.table();
        ClusterMembership.Snapshot members = view.members();
        out.put("leader", view.leader());
        out.put("slotTableEpoch", table.epoch());
        out.put("dataServers", members.dataServers().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", d.address());
            m.put("state", d.leaving() ? "LEAVING" : "UP");
            m.put("slotsLed", table.slotsLedBy(d.address()).size());
            m.put("slotsFollowed", table.slotsFollowedBy(d.address()).size());
            m.put("lastHeartbeatMillisAgo", d.lastHeartbeatMillisAgo());
            return m;
        }).toList());
        out.put("sessionListComplete", members.sessionListComplete());
        out.put("sessionServers", members.sessionServers().stream().map(s -> {
            int clients = s.clientConnections();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", s.address());
            m.put("state", clients >= 0 ? "UP" : "NOT_TAKING_CLIENTS");
            m.put("clientConnections", Math.max(clients, 0));
            m.put("lastHeartbeatMillisAgo", s.lastHeartbeatMillisAgo());
            return m;
        }).toList());
        out.put("metaServers", metaMembers());
        return out;
    }

    /** Meta nodes as the database saw them: a node that stopped trying the lease for a lease time is DOWN. */
    private List<Map<String, Object>> metaMembers() {
        String leaderAddress = leader.isLeader() ? address : election.lastSeen().holderAddress();
        List<MetaStore.MetaNodePresence> nodes;
        try {
            nodes = store.metaNodes();
        } catch (RuntimeException e) {
            log.debug("listing meta nodes failed: {}", e.getMessage());
            nodes = List.of();
        }
        if (nodes.isEmpty()) {
            nodes = List.of(new MetaStore.MetaNodePresence(address, 0));
        }
        long downAfter = config.leaderLease().leaseDuration().toMillis();
        return nodes.stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", n.address());
            m.put("state", n.lastSeenMillisAgo() > downAfter ? "DOWN"
                    : n.address().equals(leaderAddress) ? "LEADER" : "FOLLOWER");
            m.put("lastSeenMillisAgo", n.lastSeenMillisAgo());
            return m;
        }).toList();
    }

    private Map<String, Object> leaderInfo() {
        Map<String, Object> out = new LinkedHashMap<>();
        LeaseRecord seen = election.lastSeen();
        out.put("role", "meta");
        out.put("self", address);
        out.put("leader", leader.isLeader());
        out.put("leaderAddress", seen.holderAddress());
        out.put("term", seen.term());
        out.put("leadershipLeftMillis", election.remainingMillis());
        out.put("database", store.description());
        out.put("databaseError", election.lastError());
        return out;
    }

    private String metricsText() {
        StringBuilder out = new StringBuilder();
        rpcServer.metrics().appendPrometheus(out);
        JvmMetrics.appendPrometheus(out);
        PrometheusText.gauge(out, "registry_meta_lease_remaining_millis", Math.max(0, election.remainingMillis()));
        LeaderState.View view = leader.view(); // one instant, as the members page
        PrometheusText.gauge(out, "registry_meta_leader", view.leader() ? 1 : 0);
        PrometheusText.gauge(out, "registry_meta_term", view.term());
        PrometheusText.gauge(out, "registry_meta_data_servers", view.members().dataServers().size());
        PrometheusText.gauge(out, "registry_meta_session_servers", view.members().sessionServers().size());
        PrometheusText.gauge(out, "registry_meta_slot_table_epoch", view.table().epoch());
        PrometheusText.gauge(out, "registry_meta_isolated", view.members().isolated() ? 1 : 0);
        PrometheusText.counter(out, "registry_meta_data_servers_evicted_on_report_total", view.members().evictedOnReport());
        return out.toString();
    }

    private static Map<String, Object> tableJson(SlotTable t, String source) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("term", t.term());
        out.put("source", source);
        out.putAll(SlotTableJson.of(t, null));
        return out;
    }

    private static Map<String, Object> switchesJson(OperationalSwitches s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", s.version());
        out.put("clientOffIps", s.clientOffIps());
        out.put("pushStopped", s.pushStopped());
        return out;
    }



}
