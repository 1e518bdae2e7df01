package dev.registry.common.protocol;

import java.io.Serializable;

/** Data -> session: the datum version after the write. Wire DTO. */
public final class WriteResult implements Serializable {
    private static final long serialVersionUID = 1L;

    private long datumVersion;
    private boolean changed;

    @SuppressWarnings("unused")
    private WriteResult() {
    }

    public WriteResult(long datumVersion, boolean changed) {
        this.datumVersion = datumVersion;
        this.changed = changed;
    }

    public long datumVersion() {
        return datumVersion;
    }

    public boolean changed() {
        return changed;
    }

    @Override
    public String toString() {
        return "WriteResult{" + "datumVersion=" + datumVersion + " changed=" + changed + "}";
    }
}
