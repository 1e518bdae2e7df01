package dev.registry.common.protocol;

import java.io.Serializable;

/** Data -> meta: registers or renews the data server's lease; answered with a {@link HeartbeatResponse}. Wire DTO. */
public final class DataServerHeartbeat implements Serializable {
    private static final long serialVersionUID = 1L;

    private String address;
    private long knownEpoch;
    /** The data server's admin HTTP {@code host:port}; null from older servers or with admin off. */
    private String adminAddress;

    @SuppressWarnings("unused")
    private DataServerHeartbeat() {
    }

    public DataServerHeartbeat(String address, long knownEpoch) {
        this.address = address;
        this.knownEpoch = knownEpoch;
    }

    public DataServerHeartbeat(String address, long knownEpoch, String adminAddress) {
        this(address, knownEpoch);
        this.adminAddress = adminAddress;
    }

    public String adminAddress() {
        return adminAddress;
    }

    public String address() {
        return address;
    }

    public long knownEpoch() {
        return knownEpoch;
    }

    @Override
    public String toString() {
        return "DataServerHeartbeat{" + "address=" + address + " knownEpoch=" + knownEpoch + "}";
    }
}
