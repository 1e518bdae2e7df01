package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;

/** Session -> slot leader: the current datum of one DataInfoId (an empty datum with version 0 if none). Wire DTO. */
public final class FetchDatumRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private DataInfoId dataInfoId;

    @SuppressWarnings("unused")
    private FetchDatumRequest() {
    }

    public FetchDatumRequest(long epoch, DataInfoId dataInfoId) {
        this.epoch = epoch;
        this.dataInfoId = dataInfoId;
    }

    public long epoch() {
        return epoch;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    @Override
    public String toString() {
        return "FetchDatumRequest{" + "epoch=" + epoch + " dataInfoId=" + dataInfoId + "}";
    }
}
