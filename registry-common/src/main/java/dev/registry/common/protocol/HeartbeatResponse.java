package dev.registry.common.protocol;

import dev.registry.common.slot.SlotTable;
import java.io.Serializable;
import java.util.ArrayList;

/** Meta -> member: the current epoch, and the table itself when the member's known epoch is older. Wire DTO. */
public final class HeartbeatResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private SlotTable slotTable;
    private ArrayList<String> dataServers;
    private ArrayList<String> sessionServers;

    @SuppressWarnings("unused")
    private HeartbeatResponse() {
    }

    public HeartbeatResponse(long epoch, SlotTable slotTable, ArrayList<String> dataServers, ArrayList<String> sessionServers) {
        this.epoch = epoch;
        this.slotTable = slotTable;
        this.dataServers = dataServers;
        this.sessionServers = sessionServers;
    }

    public long epoch() {
        return epoch;
    }

    public SlotTable slotTable() {
        return slotTable;
    }

    public ArrayList<String> dataServers() {
        return dataServers;
    }

    public ArrayList<String> sessionServers() {
        return sessionServers;
    }

    @Override
    public String toString() {
        return "HeartbeatResponse{" + "epoch=" + epoch + " slotTable=" + slotTable + " dataServers=" + dataServers + " sessionServers=" + sessionServers + "}";
    }
}
