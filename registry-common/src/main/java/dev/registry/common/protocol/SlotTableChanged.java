package dev.registry.common.protocol;

import dev.registry.common.slot.SlotTable;
import java.io.Serializable;

/** Meta -> member, one-way: a new slot table (members also pull it on heartbeat, so a lost push heals). Wire DTO. */
public final class SlotTableChanged implements Serializable {
    private static final long serialVersionUID = 1L;

    private SlotTable slotTable;

    @SuppressWarnings("unused")
    private SlotTableChanged() {
    }

    public SlotTableChanged(SlotTable slotTable) {
        this.slotTable = slotTable;
    }

    public SlotTable slotTable() {
        return slotTable;
    }

    @Override
    public String toString() {
        return "SlotTableChanged{" + "slotTable=" + slotTable + "}";
    }
}
