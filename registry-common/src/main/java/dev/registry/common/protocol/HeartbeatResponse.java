package dev.registry.common.protocol;

import dev.registry.common.slot.SlotTable;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * Meta leader -> member: the current epoch, the table itself when the member's known epoch
 * differs, the members, and the operational switches sessions apply. Wire DTO.
 */
public final class HeartbeatResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private SlotTable slotTable;
    private ArrayList<String> dataServers;
    private ArrayList<String> sessionServers;
    /** Term of the answering meta leader. */
    private long term;
    private OperationalSwitches switches;
    /**
     * Client connections per live session as last reported (-1: takes no clients); null from
     * a meta that does not send it. Sessions balance their clients with it.
     */
    private HashMap<String, Integer> sessionConnections;
    /** Admin HTTP address per live session (those that reported one); null from older metas. */
    private HashMap<String, String> sessionAdminAddresses;
    /** Admin HTTP address per live data server (those that reported one); null from older metas. */
    private HashMap<String, String> dataAdminAddresses;
    /** The answering meta leader's admin HTTP address; null from older metas or with its admin off. */
    private String metaAdminAddress;
    /**
     * True while a new meta leader may not have heard every live session yet (one session lease
     * after it took over a cluster with history): the session list may then miss live sessions.
     * False from older metas.
     */
    private boolean sessionListIncomplete;

    @SuppressWarnings("unused")
    private HeartbeatResponse() {
    }

    public HeartbeatResponse(long epoch, SlotTable slotTable, ArrayList<String> dataServers, ArrayList<String> sessionServers) {
        this.epoch = epoch;
        this.slotTable = slotTable;
        this.dataServers = dataServers;
        this.sessionServers = sessionServers;
    }

    public HeartbeatResponse(long epoch, SlotTable slotTable, ArrayList<String> dataServers,
                             ArrayList<String> sessionServers, long term, OperationalSwitches switches) {
        this(epoch, slotTable, dataServers, sessionServers);
        this.term = term;
        this.switches = switches;
    }

    public long epoch() {
        return epoch;
    }

    public SlotTable slotTable() {
        return slotTable;
    }

    public ArrayList<String> dataServers() {
        return dataServers;
    }

    public ArrayList<String> sessionServers() {
        return sessionServers;
    }

    public long term() {
        return term;
    }

    public HeartbeatResponse withSessionConnections(HashMap<String, Integer> connections) {
        this.sessionConnections = connections;
        return this;
    }

    public HeartbeatResponse withSessionAdminAddresses(HashMap<String, String> addresses) {
        this.sessionAdminAddresses = addresses;
        return this;
    }

    public HeartbeatResponse withDataAdminAddresses(HashMap<String, String> addresses) {
        this.dataAdminAddresses = addresses;
        return this;
    }

    public HeartbeatResponse withMetaAdminAddress(String address) {
        this.metaAdminAddress = address;
        return this;
    }

    /** Admin HTTP address per live data server; empty if the meta did not send them. */
    public HashMap<String, String> dataAdminAddresses() {
        return dataAdminAddresses == null ? new HashMap<>() : dataAdminAddresses;
    }

    /** The meta leader's admin HTTP address, or null. */
    public String metaAdminAddress() {
        return metaAdminAddress;
    }

    public HeartbeatResponse withSessionListIncomplete(boolean incomplete) {
        this.sessionListIncomplete = incomplete;
        return this;
    }

    /** Whether {@link #sessionServers()} may still miss a live session (a leader that just took over). */
    public boolean sessionListIncomplete() {
        return sessionListIncomplete;
    }

    /** Admin HTTP address per live session; empty if the meta did not send them. */
    public HashMap<String, String> sessionAdminAddresses() {
        return sessionAdminAddresses == null ? new HashMap<>() : sessionAdminAddresses;
    }

    /** Client connections per live session (-1: takes no clients), or null if the meta did not send them. */
    public HashMap<String, Integer> sessionConnections() {
        return sessionConnections;
    }

    /** The cluster's operational switches, or null from a meta that does not send them. */
    public OperationalSwitches switches() {
        return switches;
    }

    @Override
    public String toString() {
        return "HeartbeatResponse{" + "epoch=" + epoch + " slotTable=" + slotTable + " dataServers=" + dataServers + " sessionServers=" + sessionServers + " term=" + term + " switches=" + switches + " sessionConnections=" + sessionConnections + " sessionListIncomplete=" + sessionListIncomplete + "}";
    }
}
