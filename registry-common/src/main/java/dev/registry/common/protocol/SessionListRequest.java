package dev.registry.common.protocol;

import java.io.Serializable;

/**
 * Client -> session: which sessions are live? A client configured with one load-balancer
 * address learns every session this way and can still reach one when the balancer cannot.
 * Answered with a {@link SessionList}. Wire DTO.
 */
public final class SessionListRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    public SessionListRequest() {
    }

    @Override
    public String toString() {
        return "SessionListRequest{}";
    }
}
