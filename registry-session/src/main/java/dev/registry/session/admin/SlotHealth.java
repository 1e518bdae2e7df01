package dev.registry.session.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.registry.common.slot.SlotAssignment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One slot's health from what its holders report on {@code GET /api/v1/slots}: the leader's
 * replication lag to its followers, and whether the slot is moving. Pure: the reports in, a
 * JSON-ready map out.
 *
 * <p>States: {@code ok}; {@code lagging} (a follower has not acknowledged every op);
 * {@code migrating} (the table's leader does not lead it yet or gates its reads while it
 * reconciles, or a follower is not following it yet, takes a snapshot or has never caught up);
 * {@code unknown} (the leader did not report); {@code no-leader}.
 */
final class SlotHealth {
    private SlotHealth() {
    }

    /**
     * @param slot    the table's assignment of the slot
     * @param reports per data server that answered, its report of each slot it holds, by slot id
     */
    static Map<String, Object> of(SlotAssignment slot, Map<String, Map<Integer, JsonNode>> reports) {
        Map<String, Object> m = new LinkedHashMap<>();
        int id = slot.slotId();
        m.put("slot", id);
        m.put("leader", slot.leader());
        m.put("followers", slot.followers());
        List<String> why = new ArrayList<>();
        long lagOps = 0;
        long lagMillis = 0;
        String state;
        Map<Integer, JsonNode> leaderReport = slot.leader() == null ? null : reports.get(slot.leader());
        if (slot.leader() == null) {
            state = "no-leader";
        } else if (leaderReport == null) {
            state = "unknown";
        } else {
            JsonNode led = leaderReport.get(id);
            if (led == null || !"leader".equals(led.path("role").asText())) {
                why.add(slot.leader() + " does not lead it yet");
            } else {
                if (!led.path("readable").asBoolean(true)) {
                    why.add(slot.leader() + " reconciles with the sessions (reads gated)");
                }
                for (String follower : slot.followers()) {
                    long ops = led.path("replicationLagOps").path(follower).asLong(0);
                    long millis = led.path("replicationLagMillis").path(follower).asLong(0);
                    if (millis < 0) {
                        why.add(follower + " has not caught up since it joined");
                    }
                    lagOps = Math.max(lagOps, ops);
                    lagMillis = Math.max(lagMillis, millis);
                }
            }
            for (String follower : slot.followers()) {
                Map<Integer, JsonNode> report = reports.get(follower);
                JsonNode followed = report == null ? null : report.get(id);
                if (report == null) {
                    continue; // unreachable: listed apart, the slot itself may be fine
                }
                if (followed == null || !"follower".equals(followed.path("role").asText())) {
                    why.add(follower + " does not follow it yet");
                } else if (followed.path("snapshotting").asBoolean()) {
                    why.add(follower + " takes a snapshot");
                }
            }
            state = !why.isEmpty() ? "migrating" : lagOps > 0 ? "lagging" : "ok";
        }
        m.put("state", state);
        m.put("migrating", state.equals("migrating"));
        m.put("replicationLagOps", lagOps);
        m.put("replicationLagMillis", lagMillis);
        if (!why.isEmpty()) {
            m.put("why", why);
        }
        return m;
    }
}
