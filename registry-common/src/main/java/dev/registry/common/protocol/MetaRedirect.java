package dev.registry.common.protocol;

import java.io.Serializable;

/**
 * Meta follower -> member, the answer to any member request: this meta node is not the
 * leader; ask {@code leaderAddress} (the leader's meta RPC {@code host:port}, or null while no
 * leader is known, e.g. during an election). Wire DTO.
 */
public final class MetaRedirect implements Serializable {
    private static final long serialVersionUID = 1L;

    private String leaderAddress;
    private long term;
    private String reason;

    @SuppressWarnings("unused")
    private MetaRedirect() {
    }

    public MetaRedirect(String leaderAddress, long term, String reason) {
        this.leaderAddress = leaderAddress;
        this.term = term;
        this.reason = reason;
    }

    /** The leader's meta RPC address {@code host:port}, or null if none is known. */
    public String leaderAddress() {
        return leaderAddress;
    }

    /** The leader's term as the follower last saw it (0 if none). */
    public long term() {
        return term;
    }

    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "MetaRedirect{leader=" + leaderAddress + " term=" + term + " reason=" + reason + "}";
    }
}
