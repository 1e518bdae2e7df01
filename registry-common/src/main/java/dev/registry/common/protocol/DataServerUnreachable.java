package dev.registry.common.protocol;

import java.io.Serializable;

/**
 * Session or data -> meta: the reporter's connection to data server {@code address} closed or
 * could not be opened. The meta leader probes that server itself and takes it out of the slot
 * table at once if the probe fails too, instead of waiting for its lease to run out. Answered
 * with {@code Boolean} (whether a probe started) or a {@link MetaRedirect}. Wire DTO.
 */
public final class DataServerUnreachable implements Serializable {
    private static final long serialVersionUID = 1L;

    private String address;
    private String reporter;

    @SuppressWarnings("unused")
    private DataServerUnreachable() {
    }

    public DataServerUnreachable(String address, String reporter) {
        this.address = address;
        this.reporter = reporter;
    }

    /** The data server that could not be reached ({@code host:port}, as in the slot table). */
    public String address() {
        return address;
    }

    /** Who reports it: a session id or a data server's address (for the log). */
    public String reporter() {
        return reporter;
    }

    @Override
    public String toString() {
        return "DataServerUnreachable{" + "address=" + address + ", reporter=" + reporter + "}";
    }
}
