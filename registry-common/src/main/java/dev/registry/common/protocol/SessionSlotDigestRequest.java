package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;

/** Session -> slot leader: the publishers this session holds in the slot, as parallel lists of id, registerId and stamp (version/connectionId). Wire DTO. */
public final class SessionSlotDigestRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private String sessionId;
    private ArrayList<DataInfoId> dataInfoIds;
    private ArrayList<String> registerIds;
    private ArrayList<String> stamps;

    @SuppressWarnings("unused")
    private SessionSlotDigestRequest() {
    }

    public SessionSlotDigestRequest(long epoch, int slotId, String sessionId, ArrayList<DataInfoId> dataInfoIds, ArrayList<String> registerIds, ArrayList<String> stamps) {
        this.epoch = epoch;
        this.slotId = slotId;
        this.sessionId = sessionId;
        this.dataInfoIds = dataInfoIds;
        this.registerIds = registerIds;
        this.stamps = stamps;
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

    public ArrayList<DataInfoId> dataInfoIds() {
        return dataInfoIds;
    }

    public ArrayList<String> registerIds() {
        return registerIds;
    }

    public ArrayList<String> stamps() {
        return stamps;
    }

    @Override
    public String toString() {
        return "SessionSlotDigestRequest{" + "epoch=" + epoch + " slotId=" + slotId + " sessionId=" + sessionId + " dataInfoIds=" + dataInfoIds + " registerIds=" + registerIds + " stamps=" + stamps + "}";
    }
}
