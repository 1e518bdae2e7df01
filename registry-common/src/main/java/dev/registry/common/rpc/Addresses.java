package dev.registry.common.rpc;

import com.google.common.net.HostAndPort;

/** Addresses that arrive over the wire ({@code host:port} strings named by another node). */
public final class Addresses {
    private Addresses() {
    }

    /** {@code host:port} parsed, or null when it is blank, malformed or has no port. */
    public static HostAndPort hostAndPortOrNull(String address) {
        if (address == null || address.isBlank()) {
            return null;
        }
        try {
            HostAndPort a = HostAndPort.fromString(address);
            return a.hasPort() ? a : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
