package dev.registry.common.protocol;

import java.io.Serializable;
import java.util.ArrayList;

/** Slot leader -> follower: log entries starting at {@code fromSeq} of the leader's log {@code logId}. Wire DTO. */
public final class ReplicateRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private String logId;
    private long fromSeq;
    private ArrayList<OpLogEntry> entries;

    @SuppressWarnings("unused")
    private ReplicateRequest() {
    }

    public ReplicateRequest(long epoch, int slotId, String logId, long fromSeq, ArrayList<OpLogEntry> entries) {
        this.epoch = epoch;
        this.slotId = slotId;
        this.logId = logId;
        this.fromSeq = fromSeq;
        this.entries = entries;
    }

    public long epoch() {
        return epoch;
    }

    public int slotId() {
        return slotId;
    }

    public String logId() {
        return logId;
    }

    public long fromSeq() {
        return fromSeq;
    }

    public ArrayList<OpLogEntry> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return "ReplicateRequest{" + "epoch=" + epoch + " slotId=" + slotId + " logId=" + logId + " fromSeq=" + fromSeq + " entries=" + entries + "}";
    }
}
