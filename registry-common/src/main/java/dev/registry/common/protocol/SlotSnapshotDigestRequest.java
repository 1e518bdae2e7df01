package dev.registry.common.protocol;

import java.io.Serializable;

/** Follower -> slot leader: every DataInfoId of the slot with its version, and the log position they reflect. Wire DTO. */
public final class SlotSnapshotDigestRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;

    @SuppressWarnings("unused")
    private SlotSnapshotDigestRequest() {
    }

    public SlotSnapshotDigestRequest(long epoch, int slotId) {
        this.epoch = epoch;
        this.slotId = slotId;
    }

    public long epoch() {
        return epoch;
    }

    public int slotId() {
        return slotId;
    }

    @Override
    public String toString() {
        return "SlotSnapshotDigestRequest{" + "epoch=" + epoch + " slotId=" + slotId + "}";
    }
}
