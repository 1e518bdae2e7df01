package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;

/** Client -> session: remove a publisher. Wire DTO. */
public final class UnregisterPublisherRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private DataInfoId dataInfoId;
    private String registerId;

    @SuppressWarnings("unused")
    private UnregisterPublisherRequest() {
    }

    public UnregisterPublisherRequest(DataInfoId dataInfoId, String registerId) {
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
        return "UnregisterPublisherRequest{" + "dataInfoId=" + dataInfoId + " registerId=" + registerId + "}";
    }
}
