package dev.registry.common.protocol;

import java.io.Serializable;

/** Session -> meta: registers or renews the session's lease. Wire DTO. */
public final class SessionServerHeartbeat implements Serializable {
    private static final long serialVersionUID = 1L;

    private String sessionId;
    private String address;
    private long knownEpoch;
    /** Client connections on the session's own port, or -1 while it takes no clients (draining, not ready). */
    private int clientConnections = -1;
    /** The session's admin HTTP address {@code host:port}, or null if it has none. */
    private String adminAddress;

    @SuppressWarnings("unused")
    private SessionServerHeartbeat() {
    }

    public SessionServerHeartbeat(String sessionId, String address, long knownEpoch) {
        this.sessionId = sessionId;
        this.address = address;
        this.knownEpoch = knownEpoch;
    }

    public SessionServerHeartbeat(String sessionId, String address, long knownEpoch, int clientConnections,
                                  String adminAddress) {
        this(sessionId, address, knownEpoch);
        this.clientConnections = clientConnections;
        this.adminAddress = adminAddress;
    }

    /** The session's admin HTTP {@code host:port}, or null. */
    public String adminAddress() {
        return adminAddress;
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

    /** Client connections on the session's port; -1 while it takes no clients. */
    public int clientConnections() {
        return clientConnections;
    }

    @Override
    public String toString() {
        return "SessionServerHeartbeat{" + "sessionId=" + sessionId + " address=" + address + " knownEpoch=" + knownEpoch + " clientConnections=" + clientConnections + "}";
    }
}
