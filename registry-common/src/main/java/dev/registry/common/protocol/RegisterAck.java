package dev.registry.common.protocol;

import java.io.Serializable;

/** Session -> client: the registration took effect (for publishers: the slot leader stored it). Wire DTO. */
public final class RegisterAck implements Serializable {
    private static final long serialVersionUID = 1L;

    private String registerId;
    private long datumVersion;

    @SuppressWarnings("unused")
    private RegisterAck() {
    }

    public RegisterAck(String registerId, long datumVersion) {
        this.registerId = registerId;
        this.datumVersion = datumVersion;
    }

    public String registerId() {
        return registerId;
    }

    public long datumVersion() {
        return datumVersion;
    }

    @Override
    public String toString() {
        return "RegisterAck{" + "registerId=" + registerId + " datumVersion=" + datumVersion + "}";
    }
}
