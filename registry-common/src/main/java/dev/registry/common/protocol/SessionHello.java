package dev.registry.common.protocol;

import java.io.Serializable;

/** Session -> data, first call on a connection: identifies the session so data can send change notices and track its lease. Wire DTO. */
public final class SessionHello implements Serializable {
    private static final long serialVersionUID = 1L;

    private String sessionId;

    @SuppressWarnings("unused")
    private SessionHello() {
    }

    public SessionHello(String sessionId) {
        this.sessionId = sessionId;
    }

    public String sessionId() {
        return sessionId;
    }

    @Override
    public String toString() {
        return "SessionHello{" + "sessionId=" + sessionId + "}";
    }
}
