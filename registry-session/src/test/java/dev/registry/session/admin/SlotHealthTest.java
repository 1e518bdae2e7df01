package dev.registry.session.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registry.common.slot.SlotAssignment;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SlotHealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SlotAssignment SLOT = new SlotAssignment(7, "d1", List.of("d2"));

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static Map<String, Map<Integer, JsonNode>> reports(String d1, String d2) throws Exception {
        Map<String, Map<Integer, JsonNode>> out = new HashMap<>();
        if (d1 != null) {
            out.put("d1", Map.of(7, json(d1)));
        }
        if (d2 != null) {
            out.put("d2", Map.of(7, json(d2)));
        }
        return out;
    }

    private static final String FOLLOWING = "{'role':'follower','leader':'d1','snapshotting':false}";

    @Test
    void aLeaderInStepWithItsFollowerIsOk() throws Exception {
        Map<String, Object> h = SlotHealth.of(SLOT, reports("{'role':'leader','readable':true,"
                + "'replicationLagOps':{'d2':0},'replicationLagMillis':{'d2':0}}", FOLLOWING));
        assertThat(h).containsEntry("state", "ok").containsEntry("migrating", false).containsEntry("slot", 7)
                .containsEntry("leader", "d1").doesNotContainKey("why");
    }

    @Test
    void unacknowledgedOpsAreLagWithTheSlowestFollowersFigures() throws Exception {
        Map<String, Object> h = SlotHealth.of(new SlotAssignment(7, "d1", List.of("d2", "d3")),
                reports("{'role':'leader','readable':true,'replicationLagOps':{'d2':3,'d3':1},"
                        + "'replicationLagMillis':{'d2':40,'d3':90}}", FOLLOWING));
        assertThat(h).containsEntry("state", "lagging").containsEntry("replicationLagOps", 3L)
                .containsEntry("replicationLagMillis", 90L);
    }

    @Test
    void aSlotIsMigratingUntilEveryHolderPlaysItsRole() throws Exception {
        String leading = "{'role':'leader','readable':true,'replicationLagOps':{'d2':0},'replicationLagMillis':{'d2':0}}";
        // The table's leader still follows (it has not taken over yet).
        assertThat(SlotHealth.of(SLOT, reports(FOLLOWING, FOLLOWING))).containsEntry("state", "migrating");
        // Leads, but reads are gated while it reconciles with the sessions.
        assertThat(SlotHealth.of(SLOT, reports(leading.replace("true", "false"), FOLLOWING)))
                .containsEntry("state", "migrating");
        // The follower takes a snapshot, or does not follow yet, or has never caught up.
        assertThat(SlotHealth.of(SLOT, reports(leading, FOLLOWING.replace("false", "true"))))
                .containsEntry("state", "migrating");
        assertThat(SlotHealth.of(SLOT, reports(leading, "{'role':'leader'}"))).containsEntry("state", "migrating");
        Map<String, Object> neverSynced = SlotHealth.of(SLOT, reports(
                "{'role':'leader','readable':true,'replicationLagOps':{'d2':0},'replicationLagMillis':{'d2':-1}}", FOLLOWING));
        assertThat(neverSynced).containsEntry("state", "migrating");
        assertThat(neverSynced.get("why").toString()).contains("d2 has not caught up");
    }

    @Test
    void anUnreachableLeaderIsUnknownAnUnreachableFollowerIsNotAMigration() throws Exception {
        assertThat(SlotHealth.of(SLOT, reports(null, FOLLOWING))).containsEntry("state", "unknown");
        assertThat(SlotHealth.of(SLOT, reports("{'role':'leader','readable':true,'replicationLagOps':{'d2':0},"
                + "'replicationLagMillis':{'d2':0}}", null))).containsEntry("state", "ok");
        assertThat(SlotHealth.of(new SlotAssignment(7, null, List.of()), Map.of())).containsEntry("state", "no-leader");
    }
}
