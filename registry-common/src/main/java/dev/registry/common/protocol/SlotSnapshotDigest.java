package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;

/** Slot leader -> follower: ids and versions (parallel lists) as of log position {@code seq} of {@code logId}. Wire DTO. */
public final class SlotSnapshotDigest implements Serializable {
    private static final long serialVersionUID = 1L;

    private String logId;
    private long seq;
    private ArrayList<DataInfoId> dataInfoIds;
    private ArrayList<Long> versions;

    @SuppressWarnings("unused")
    private SlotSnapshotDigest() {
    }

    public SlotSnapshotDigest(String logId, long seq, ArrayList<DataInfoId> dataInfoIds, ArrayList<Long> versions) {
        this.logId = logId;
        this.seq = seq;
        this.dataInfoIds = dataInfoIds;
        this.versions = versions;
    }

    public String logId() {
        return logId;
    }

    public long seq() {
        return seq;
    }

    public ArrayList<DataInfoId> dataInfoIds() {
        return dataInfoIds;
    }

    public ArrayList<Long> versions() {
        return versions;
    }

    @Override
    public String toString() {
        return "SlotSnapshotDigest{" + "logId=" + logId + " seq=" + seq + " dataInfoIds=" + dataInfoIds + " versions=" + versions + "}";
    }
}
