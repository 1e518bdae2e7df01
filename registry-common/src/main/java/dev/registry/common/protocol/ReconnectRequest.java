package dev.registry.common.protocol;

import java.io.Serializable;

/**
 * Session -> client, one-way: please reconnect to another session (this one is draining or
 * holds more than its share of clients). The client re-registers everything there; the old
 * session withdraws the client's publishers only after a grace period, so subscribers never
 * see them missing. Wire DTO.
 */
public final class ReconnectRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private String reason;

    @SuppressWarnings("unused")
    private ReconnectRequest() {
    }

    public ReconnectRequest(String reason) {
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "ReconnectRequest{" + reason + "}";
    }
}
