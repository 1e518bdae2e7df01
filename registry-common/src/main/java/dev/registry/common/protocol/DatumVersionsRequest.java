package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;

import java.io.Serializable;
import java.util.ArrayList;

/** Session -> slot leader: the current versions of these ids of one slot (for reconciliation). Wire DTO. */
public final class DatumVersionsRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private ArrayList<DataInfoId> dataInfoIds;

    @SuppressWarnings("unused")
    private DatumVersionsRequest() {
    }

    public DatumVersionsRequest(long epoch, int slotId, ArrayList<DataInfoId> dataInfoIds) {
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
        return dataInfoIds == null ? new ArrayList<>() : dataInfoIds;
    }

    @Override
    public String toString() {
        return "DatumVersionsRequest{slot=" + slotId + " ids=" + dataInfoIds().size() + "}";
    }
}
