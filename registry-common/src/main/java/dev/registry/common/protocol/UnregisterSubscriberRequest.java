package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;

/** Client -> session: remove a subscriber. Wire DTO. */
public final class UnregisterSubscriberRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private DataInfoId dataInfoId;
    private String registerId;

    @SuppressWarnings("unused")
    private UnregisterSubscriberRequest() {
    }

    public UnregisterSubscriberRequest(DataInfoId dataInfoId, String registerId) {
        this.dataInfoId = dataInfoId;
        this.registerId = registerId;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    public String registerId() {
        return registerId;
    }

    @Override
    public String toString() {
        return "UnregisterSubscriberRequest{" + "dataInfoId=" + dataInfoId + " registerId=" + registerId + "}";
    }
}
