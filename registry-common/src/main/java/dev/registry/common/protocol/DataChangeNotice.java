package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;

/**
 * Data -> session, one-way: a datum changed to this version, and now has this many publishers
 * (-1: not told; sessions keep their catalogs of watched groups from it). Wire DTO.
 */
public final class DataChangeNotice implements Serializable {
    private static final long serialVersionUID = 1L;

    private DataInfoId dataInfoId;
    private long version;
    private int publisherCount = -1;

    @SuppressWarnings("unused")
    private DataChangeNotice() {
    }

    public DataChangeNotice(DataInfoId dataInfoId, long version) {
        this(dataInfoId, version, -1);
    }

    public DataChangeNotice(DataInfoId dataInfoId, long version, int publisherCount) {
        this.dataInfoId = dataInfoId;
        this.version = version;
        this.publisherCount = publisherCount;
    }

    /** Publishers of the datum after the change; -1 if not told. */
    public int publisherCount() {
        return publisherCount;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    public long version() {
        return version;
    }

    @Override
    public String toString() {
        return "DataChangeNotice{" + "dataInfoId=" + dataInfoId + " version=" + version + " publishers=" + publisherCount + "}";
    }
}
