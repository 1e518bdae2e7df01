package dev.registry.data.admin;

import dev.registry.common.metrics.PrometheusText;
import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.admin.CommonAdminRoutes;
import dev.registry.common.admin.SlotTableJson;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.metrics.JvmMetrics;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcMetrics;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.data.DataServer;
import dev.registry.data.replication.SlotReplication;
import dev.registry.data.session.SessionReconciliation;
import dev.registry.data.store.DatumStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * The data server's admin HTTP API: health and readiness, its slot table, its slots with their
 * role, publishers and replication lag, metrics, and the drain action. The JSON fields and
 * status codes are documented in docs/operations.md.
 */
public final class DataAdminRoutes {
    private final DataServer server;
    private final MetaClient meta;
    private final SessionReconciliation reconciliation;
    /** Session connections open now. */
    private final IntSupplier sessionConnections;
    private final RpcServer rpcServer;
    private final RpcClient peerClient;

    /** @param server the started server: its address, table, store, replication and drain */
    public DataAdminRoutes(DataServer server, MetaClient meta, SessionReconciliation reconciliation,
                           IntSupplier sessionConnections, RpcServer rpcServer, RpcClient peerClient) {
        this.server = server;
        this.meta = meta;
        this.reconciliation = reconciliation;
        this.sessionConnections = sessionConnections;
        this.rpcServer = rpcServer;
        this.peerClient = peerClient;
    }

    public void register(AdminHttpServer http) {
        String address = server.address();
        SlotTableHolder tables = server.slotTables();
        http.get("/health", r -> AdminResponse.ok(Map.of("status", "UP", "role", "data", "address", address)));
        http.get("/health/ready", r -> {
            boolean ready = tables.epoch() > 0 && meta.isConnected() && !server.isDraining();
            return new AdminResponse(ready ? 200 : 503, Map.of("ready", ready, "slotTableEpoch", tables.epoch(),
                    "metaConnected", meta.isConnected(), "draining", server.isDraining()), null);
        });
        http.get("/api/v1/slot-table", r -> AdminResponse.ok(SlotTableJson.of(tables.current(), address)));
        http.get("/metrics", r -> AdminResponse.text(200, metricsText(), "text/plain; version=0.0.4"));
        CommonAdminRoutes.register(http, "data");
        http.get("/api/v1/slots", r -> AdminResponse.ok(slotsJson()));
        http.post("/api/v1/drain", r -> {
            String refusal = server.drainRefusal();
            if (refusal != null) {
                return AdminResponse.error(409, refusal);
            }
            CompletableFuture.runAsync(() -> server.drain(Duration.ofSeconds(60)));
            return AdminResponse.ok(Map.of("draining", true));
        });
    }

    private Map<String, Object> slotsJson() {
        DatumStore store = server.store();
        SlotReplication replication = server.replication();
        Map<Integer, Integer> counts = store.publisherCounts();
        List<Map<String, Object>> slots = new ArrayList<>();
        for (dev.registry.data.replication.SlotView v : replication.view()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("slot", v.slot());
            m.put("role", v.role());
            m.put("publishers", counts.getOrDefault(v.slot(), 0));
            m.put("logId", v.logId());
            if (v.role().equals("leader")) {
                m.put("lastSeq", v.lastSeq());
                // Decided as a read would decide it now (the gate opens lazily, on the first read after it may).
                m.put("readable", v.readable() || replication.isReadable(v.slot(), reconciliation.expectedSessions()));
                m.put("replicationLagOps", v.lagEntries());
                m.put("replicationLagMillis", v.lagMillis());
            } else {
                m.put("leader", v.leader());
                m.put("appliedSeq", v.appliedSeq());
                m.put("snapshotting", v.snapshotting());
            }
            slots.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", server.address());
        out.put("slotTableEpoch", server.slotTables().epoch());
        out.put("publishers", store.publisherCount());
        out.put("slots", slots);
        return out;
    }

    private String metricsText() {
        DatumStore store = server.store();
        SlotReplication replication = server.replication();
        StringBuilder out = new StringBuilder();
        RpcMetrics.appendPrometheus(out, rpcServer.metrics(), peerClient.metrics());
        JvmMetrics.appendPrometheus(out);
        PrometheusText.gauge(out, "registry_data_publishers", store.publisherCount());
        PrometheusText.gauge(out, "registry_data_slots_led", replication.ledSlots().size());
        PrometheusText.gauge(out, "registry_data_slots_followed", replication.followedSlots());
        PrometheusText.gauge(out, "registry_data_replication_lag_entries", replication.maxReplicationLag());
        PrometheusText.gauge(out, "registry_data_slot_table_epoch", server.slotTables().epoch());
        PrometheusText.gauge(out, "registry_data_sessions", sessionConnections.getAsInt());
        return out.toString();
    }

}
