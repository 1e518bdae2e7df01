package dev.registry.meta.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSON documents meta stores: readable with any SQL client ({@code SELECT body FROM
 * registry_meta_state}), independent of the Java classes' serialized form.
 */
final class StateJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StateJson() {
    }

    static String slotTable(SlotTable table) {
        ObjectNode root = JSON.createObjectNode();
        root.put("term", table.term());
        root.put("epoch", table.epoch());
        root.put("slotCount", table.slotCount());
        ArrayNode slots = root.putArray("slots");
        for (SlotAssignment a : table.slots()) {
            ObjectNode s = slots.addObject();
            s.put("slot", a.slotId());
            s.put("leader", a.leader());
            ArrayNode followers = s.putArray("followers");
            a.followers().forEach(followers::add);
            s.put("leaderSince", a.leaderSince());
        }
        return write(root);
    }

    static SlotTable slotTable(String json) {
        JsonNode root = read(json);
        List<SlotAssignment> slots = new ArrayList<>();
        for (JsonNode s : root.path("slots")) {
            List<String> followers = new ArrayList<>();
            s.path("followers").forEach(f -> followers.add(f.asText()));
            JsonNode leader = s.get("leader");
            slots.add(new SlotAssignment(s.path("slot").asInt(), leader == null || leader.isNull() ? null : leader.asText(),
                    followers, s.path("leaderSince").asLong(0)));
        }
        if (slots.size() != root.path("slotCount").asInt(-1)) {
            throw new MetaStoreException("stored slot table is damaged: " + slots.size() + " slots, expected "
                    + root.path("slotCount").asInt(-1));
        }
        return new SlotTable(root.path("term").asLong(), root.path("epoch").asLong(), slots);
    }

    static String switches(OperationalSwitches switches) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode ips = root.putArray("clientOffIps");
        switches.clientOffIps().forEach(ips::add);
        root.put("pushStopped", switches.pushStopped());
        return write(root);
    }

    static OperationalSwitches switches(long version, String json) {
        JsonNode root = read(json);
        List<String> ips = new ArrayList<>();
        root.path("clientOffIps").forEach(ip -> ips.add(ip.asText()));
        return new OperationalSwitches(version, ips, root.path("pushStopped").asBoolean(false));
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new MetaStoreException("stored meta state is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
