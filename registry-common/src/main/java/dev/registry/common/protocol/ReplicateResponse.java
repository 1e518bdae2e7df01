package dev.registry.common.protocol;

import java.io.Serializable;

/** Follower -> slot leader: which log and sequence the follower has applied; not accepted means a gap or another log (the follower then pulls a snapshot). Wire DTO. */
public final class ReplicateResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    private boolean accepted;
    private String logId;
    private long appliedSeq;

    @SuppressWarnings("unused")
    private ReplicateResponse() {
    }

    public ReplicateResponse(boolean accepted, String logId, long appliedSeq) {
        this.accepted = accepted;
        this.logId = logId;
        this.appliedSeq = appliedSeq;
    }

    public boolean accepted() {
        return accepted;
    }

    public String logId() {
        return logId;
    }

    public long appliedSeq() {
        return appliedSeq;
    }

    @Override
    public String toString() {
        return "ReplicateResponse{" + "accepted=" + accepted + " logId=" + logId + " appliedSeq=" + appliedSeq + "}";
    }
}
