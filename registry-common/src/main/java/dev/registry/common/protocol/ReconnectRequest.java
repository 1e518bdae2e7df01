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
    /** The session to move to ({@code host:port}), or null: any other (the client's configured addresses). */
    private String target;

    @SuppressWarnings("unused")
    private ReconnectRequest() {
    }

    public ReconnectRequest(String reason) {
        this.reason = reason;
    }

    public ReconnectRequest(String reason, String target) {
        this.reason = reason;
        this.target = target;
    }

    public String reason() {
        return reason;
    }

    /** The suggested session {@code host:port}, or null. */
    public String target() {
        return target;
    }

    @Override
    public String toString() {
        return "ReconnectRequest{" + reason + (target != null ? " -> " + target : "") + "}";
    }
}
