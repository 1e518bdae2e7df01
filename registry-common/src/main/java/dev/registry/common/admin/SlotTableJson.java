package dev.registry.common.admin;

import dev.registry.common.slot.SlotTable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shape of a slot table on every role's admin endpoint. */
public final class SlotTableJson {
    private SlotTableJson() {
    }

    /** @param self the viewing node's address, or null */
    public static Map<String, Object> of(SlotTable table, String self) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("epoch", table.epoch());
        out.put("slotCount", table.slotCount());
        if (self != null) {
            out.put("self", self);
        }
        out.put("servers", List.copyOf(table.servers()));
        out.put("slots", table.slots().stream().map(s -> {
            Map<String, Object> slot = new LinkedHashMap<>();
            slot.put("slot", s.slotId());
            slot.put("leader", s.leader());
            slot.put("followers", List.copyOf(s.followers()));
            return slot;
        }).toList());
        return out;
    }
}
