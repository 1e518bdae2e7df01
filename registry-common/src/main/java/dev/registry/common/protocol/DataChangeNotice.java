package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;

/** Data -> session, one-way: a datum changed to this version. Wire DTO. */
public final class DataChangeNotice implements Serializable {
    private static final long serialVersionUID = 1L;

    private DataInfoId dataInfoId;
    private long version;

    @SuppressWarnings("unused")
    private DataChangeNotice() {
    }

    public DataChangeNotice(DataInfoId dataInfoId, long version) {
        this.dataInfoId = dataInfoId;
        this.version = version;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    public long version() {
        return version;
    }

    @Override
    public String toString() {
        return "DataChangeNotice{" + "dataInfoId=" + dataInfoId + " version=" + version + "}";
    }
}
