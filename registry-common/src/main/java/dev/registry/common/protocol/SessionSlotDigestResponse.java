package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;

/** Slot leader -> session: indexes of the request's publishers the leader lacks or holds stale, and the publishers it holds from this session that the request did not list (parallel lists). Wire DTO. */
public final class SessionSlotDigestResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    private ArrayList<Integer> needed;
    private ArrayList<DataInfoId> extraIds;
    private ArrayList<String> extraRegisterIds;
    private ArrayList<String> extraConnectionIds;
    /** Answer to a summary: it differs from what the leader holds, so send the full digest. */
    private boolean summaryMismatch;
    /** The leader listed only some of its extra publishers (an answer stays small): run again after removing these. */
    private boolean extrasTruncated;

    @SuppressWarnings("unused")
    private SessionSlotDigestResponse() {
    }

    public SessionSlotDigestResponse(ArrayList<Integer> needed, ArrayList<DataInfoId> extraIds, ArrayList<String> extraRegisterIds, ArrayList<String> extraConnectionIds) {
        this.needed = needed;
        this.extraIds = extraIds;
        this.extraRegisterIds = extraRegisterIds;
        this.extraConnectionIds = extraConnectionIds;
    }

    public static SessionSlotDigestResponse summaryMatched() {
        return new SessionSlotDigestResponse(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    public static SessionSlotDigestResponse summaryMismatched() {
        SessionSlotDigestResponse r = summaryMatched();
        r.summaryMismatch = true;
        return r;
    }

    public SessionSlotDigestResponse withExtrasTruncated() {
        this.extrasTruncated = true;
        return this;
    }

    public boolean extrasTruncated() {
        return extrasTruncated;
    }

    public boolean summaryMismatch() {
        return summaryMismatch;
    }

    public ArrayList<Integer> needed() {
        return needed;
    }

    public ArrayList<DataInfoId> extraIds() {
        return extraIds;
    }

    public ArrayList<String> extraRegisterIds() {
        return extraRegisterIds;
    }

    public ArrayList<String> extraConnectionIds() {
        return extraConnectionIds;
    }

    @Override
    public String toString() {
        return "SessionSlotDigestResponse{" + "needed=" + needed + " extraIds=" + extraIds + " extraRegisterIds=" + extraRegisterIds + " extraConnectionIds=" + extraConnectionIds
                + (summaryMismatch ? " summaryMismatch" : "") + (extrasTruncated ? " extrasTruncated" : "") + "}";
    }
}
