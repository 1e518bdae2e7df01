package dev.registry.common.protocol;

import dev.registry.common.slot.SlotTable;
import java.io.Serializable;
import java.util.ArrayList;

/**
 * Meta leader -> member: the current epoch, the table itself when the member's known epoch
 * differs, the members, and the operational switches sessions apply. Wire DTO.
 */
public final class HeartbeatResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private SlotTable slotTable;
    private ArrayList<String> dataServers;
    private ArrayList<String> sessionServers;
    /** Term of the answering meta leader. */
    private long term;
    private OperationalSwitches switches;

    @SuppressWarnings("unused")
    private HeartbeatResponse() {
    }

    public HeartbeatResponse(long epoch, SlotTable slotTable, ArrayList<String> dataServers, ArrayList<String> sessionServers) {
        this.epoch = epoch;
        this.slotTable = slotTable;
        this.dataServers = dataServers;
        this.sessionServers = sessionServers;
    }

    public HeartbeatResponse(long epoch, SlotTable slotTable, ArrayList<String> dataServers,
                             ArrayList<String> sessionServers, long term, OperationalSwitches switches) {
        this(epoch, slotTable, dataServers, sessionServers);
        this.term = term;
        this.switches = switches;
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

    public long term() {
        return term;
    }

    /** The cluster's operational switches, or null from a meta that does not send them. */
    public OperationalSwitches switches() {
        return switches;
    }

    @Override
    public String toString() {
        return "HeartbeatResponse{" + "epoch=" + epoch + " slotTable=" + slotTable + " dataServers=" + dataServers + " sessionServers=" + sessionServers + " term=" + term + " switches=" + switches + "}";
    }
}
