package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import java.io.Serializable;

/** One effective change in a slot's operation log, replicated leader -> followers. kind 1 = put {@code publisher}, 2 = remove {@code registerId} of {@code dataInfoId}; {@code version} is the datum version the change produced. Wire DTO. */
public final class OpLogEntry implements Serializable {
    private static final long serialVersionUID = 1L;

    private long seq;
    private int kind;
    private Publisher publisher;
    private DataInfoId dataInfoId;
    private String registerId;
    private long version;
    private long changedAtMillis;

    @SuppressWarnings("unused")
    private OpLogEntry() {
    }

    public OpLogEntry(long seq, int kind, Publisher publisher, DataInfoId dataInfoId, String registerId, long version, long changedAtMillis) {
        this.seq = seq;
        this.kind = kind;
        this.publisher = publisher;
        this.dataInfoId = dataInfoId;
        this.registerId = registerId;
        this.version = version;
        this.changedAtMillis = changedAtMillis;
    }

    public long seq() {
        return seq;
    }

    public int kind() {
        return kind;
    }

    public Publisher publisher() {
        return publisher;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    public String registerId() {
        return registerId;
    }

    public long version() {
        return version;
    }

    public long changedAtMillis() {
        return changedAtMillis;
    }

    @Override
    public String toString() {
        return "OpLogEntry{" + "seq=" + seq + " kind=" + kind + " publisher=" + publisher + " dataInfoId=" + dataInfoId + " registerId=" + registerId + " version=" + version + " changedAtMillis=" + changedAtMillis + "}";
    }
}
