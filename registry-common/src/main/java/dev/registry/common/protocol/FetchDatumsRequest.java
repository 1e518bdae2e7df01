package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;

/** Follower -> slot leader: the full datums of these ids (the ones whose versions differ). Wire DTO. */
public final class FetchDatumsRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private ArrayList<DataInfoId> dataInfoIds;

    @SuppressWarnings("unused")
    private FetchDatumsRequest() {
    }

    public FetchDatumsRequest(long epoch, int slotId, ArrayList<DataInfoId> dataInfoIds) {
        this.epoch = epoch;
        this.slotId = slotId;
        this.dataInfoIds = dataInfoIds;
    }

    public long epoch() {
        return epoch;
    }

    public int slotId() {
        return slotId;
    }

    public ArrayList<DataInfoId> dataInfoIds() {
        return dataInfoIds;
    }

    @Override
    public String toString() {
        return "FetchDatumsRequest{" + "epoch=" + epoch + " slotId=" + slotId + " dataInfoIds=" + dataInfoIds + "}";
    }
}
