package dev.registry.common.protocol;

import java.io.Serializable;

/** Session -> slot leader: this session has synced the slot at this epoch; once every live session did, the leader serves reads of the slot. Wire DTO. */
public final class SlotSyncDone implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private String sessionId;

    @SuppressWarnings("unused")
    private SlotSyncDone() {
    }

    public SlotSyncDone(long epoch, int slotId, String sessionId) {
        this.epoch = epoch;
        this.slotId = slotId;
        this.sessionId = sessionId;
    }

    public long epoch() {
        return epoch;
    }

    public int slotId() {
        return slotId;
    }

    public String sessionId() {
        return sessionId;
    }

    @Override
    public String toString() {
        return "SlotSyncDone{" + "epoch=" + epoch + " slotId=" + slotId + " sessionId=" + sessionId + "}";
    }
}
