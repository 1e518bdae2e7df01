package dev.registry.common.protocol;

import java.io.Serializable;

/**
 * Client -> session: the push was delivered to the observers; or, with {@link #resync}, a delta
 * push could not be applied (the client does not hold its base version) and the subscribers need
 * the full list. Wire DTO.
 */
public final class PushAck implements Serializable {
    private static final long serialVersionUID = 1L;

    private long version;
    private boolean resync;

    @SuppressWarnings("unused")
    private PushAck() {
    }

    public PushAck(long version) {
        this.version = version;
    }

    /** The answer to a delta push the client could not apply: push these subscribers the full list. */
    public static PushAck resync(long version) {
        PushAck a = new PushAck(version);
        a.resync = true;
        return a;
    }

    public boolean resync() {
        return resync;
    }

    public long version() {
        return version;
    }

    @Override
    public String toString() {
        return "PushAck{" + "version=" + version + (resync ? " resync" : "") + "}";
    }
}
