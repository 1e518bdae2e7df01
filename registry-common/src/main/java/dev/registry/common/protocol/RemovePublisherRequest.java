package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;

/** Session -> slot leader: remove a publisher, but only the registration stamped with the given connection (a newer one from another connection stays). Wire DTO. */
public final class RemovePublisherRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private DataInfoId dataInfoId;
    private String registerId;
    private String connectionId;

    @SuppressWarnings("unused")
    private RemovePublisherRequest() {
    }

    public RemovePublisherRequest(long epoch, int slotId, DataInfoId dataInfoId, String registerId, String connectionId) {
        this.epoch = epoch;
        this.slotId = slotId;
        this.dataInfoId = dataInfoId;
        this.registerId = registerId;
        this.connectionId = connectionId;
    }

    public long epoch() {
        return epoch;
    }

    public int slotId() {
        return slotId;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    public String registerId() {
        return registerId;
    }

    public String connectionId() {
        return connectionId;
    }

    @Override
    public String toString() {
        return "RemovePublisherRequest{" + "epoch=" + epoch + " slotId=" + slotId + " dataInfoId=" + dataInfoId + " registerId=" + registerId + " connectionId=" + connectionId + "}";
    }
}
