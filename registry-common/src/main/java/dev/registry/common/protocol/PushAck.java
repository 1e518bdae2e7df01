package dev.registry.common.protocol;

import java.io.Serializable;

/** Client -> session: the push was delivered to the observers. Wire DTO. */
public final class PushAck implements Serializable {
    private static final long serialVersionUID = 1L;

    private long version;

    @SuppressWarnings("unused")
    private PushAck() {
    }

    public PushAck(long version) {
        this.version = version;
    }

    public long version() {
        return version;
    }

    @Override
    public String toString() {
        return "PushAck{" + "version=" + version + "}";
    }
}
