package dev.registry.common.protocol;

import java.io.Serializable;

/** Session -> meta: registers or renews the session's lease. Wire DTO. */
public final class SessionServerHeartbeat implements Serializable {
    private static final long serialVersionUID = 1L;

    private String sessionId;
    private String address;
    private long knownEpoch;

    @SuppressWarnings("unused")
    private SessionServerHeartbeat() {
    }

    public SessionServerHeartbeat(String sessionId, String address, long knownEpoch) {
        this.sessionId = sessionId;
        this.address = address;
        this.knownEpoch = knownEpoch;
    }

    public String sessionId() {
        return sessionId;
    }

    public String address() {
        return address;
    }

    public long knownEpoch() {
        return knownEpoch;
    }

    @Override
    public String toString() {
        return "SessionServerHeartbeat{" + "sessionId=" + sessionId + " address=" + address + " knownEpoch=" + knownEpoch + "}";
    }
}
