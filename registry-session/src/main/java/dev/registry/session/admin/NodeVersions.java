package dev.registry.session.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.protocol.HeartbeatResponse;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Every node this session knows of with its version and uptime, as the node itself reports
 * them; the meta leader also with its term and the time left on its lease. A node that does not
 * answer is listed with the error.
 */
final class NodeVersions {
    private final MetaClient meta;
    private final PeerAdmin peers;
    private final Clock clock;

    NodeVersions(MetaClient meta, PeerAdmin peers, Clock clock) {
        this.meta = meta;
        this.peers = peers;
        this.clock = clock;
    }

    List<Map<String, Object>> json() {
        HeartbeatResponse last = meta.lastResponse();
        Map<String, String[]> nodes = new TreeMap<>(); // admin address -> role, node address
        if (last != null) {
            last.sessionAdminAddresses().forEach((s, admin) -> nodes.put(admin, new String[] {"session", s}));
            last.dataAdminAddresses().forEach((d, admin) -> nodes.put(admin, new String[] {"data", d}));
            if (last.metaAdminAddress() != null) {
                nodes.put(last.metaAdminAddress(), new String[] {"meta", meta.leaderAddress()});
            }
        }
        Map<String, CompletableFuture<JsonNode>> calls = new LinkedHashMap<>();
        nodes.keySet().forEach(admin -> calls.put(admin, peers.get(admin, "/api/v1/version")));
        String metaAdmin = last == null ? null : last.metaAdminAddress();
        CompletableFuture<JsonNode> lease = metaAdmin == null ? null : peers.get(metaAdmin, "/api/v1/leader");
        long now = clock.millis();
        List<Map<String, Object>> out = new ArrayList<>();
        calls.forEach((admin, call) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", nodes.get(admin)[0]);
            m.put("address", nodes.get(admin)[1]);
            m.put("adminAddress", admin);
            try {
                JsonNode v = call.get(SessionConsoleRoutes.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                m.put("version", v.path("version").asText());
                m.put("java", v.path("java").asText());
                long started = v.path("startedAtMillis").asLong();
                m.put("startedAtMillis", started);
                m.put("uptimeMillis", started > 0 ? Math.max(0, now - started) : null);
                if (admin.equals(metaAdmin)) { // the leader's term and how long its lease still runs
                    JsonNode l = lease.get(SessionConsoleRoutes.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    m.put("term", l.path("term").asLong());
                    m.put("leaseLeftMillis", l.path("leadershipLeftMillis").asLong());
                }
            } catch (Exception e) {
                m.put("error", PeerAdmin.describe(e));
            }
            out.add(m);
        });
        return out;
    }
}
