package dev.registry.common.protocol;

import java.io.Serializable;

/** Data -> meta: take this server out of the slot table now (graceful shutdown); answered with a {@link HeartbeatResponse}. Wire DTO. */
public final class DataServerLeaving implements Serializable {
    private static final long serialVersionUID = 1L;

    private String address;

    @SuppressWarnings("unused")
    private DataServerLeaving() {
    }

    public DataServerLeaving(String address) {
        this.address = address;
    }

    public String address() {
        return address;
    }

    @Override
    public String toString() {
        return "DataServerLeaving{" + "address=" + address + "}";
    }
}
