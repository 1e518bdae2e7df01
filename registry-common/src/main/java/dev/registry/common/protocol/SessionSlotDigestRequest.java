package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;

/** Session -> slot leader: the publishers this session holds in the slot, as parallel lists of id, registerId and stamp (version/connectionId). Wire DTO. */
public final class SessionSlotDigestRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private String sessionId;
    private ArrayList<DataInfoId> dataInfoIds;
    private ArrayList<String> registerIds;
    private ArrayList<String> stamps;
    /** Summary form: no lists, only the count and XOR of the session's publisher fingerprints in the slot. */
    private boolean summaryOnly;
    private int summaryCount;
    private long summaryXor;

    @SuppressWarnings("unused")
    private SessionSlotDigestRequest() {
    }

    public SessionSlotDigestRequest(long epoch, int slotId, String sessionId, ArrayList<DataInfoId> dataInfoIds, ArrayList<String> registerIds, ArrayList<String> stamps) {
        this.epoch = epoch;
        this.slotId = slotId;
        this.sessionId = sessionId;
        this.dataInfoIds = dataInfoIds;
        this.registerIds = registerIds;
        this.stamps = stamps;
    }

    /** The cheap first step of a periodic sync: the leader answers whether it holds exactly this. */
    public static SessionSlotDigestRequest summary(long epoch, int slotId, String sessionId, int count, long xor) {
        SessionSlotDigestRequest r = new SessionSlotDigestRequest(epoch, slotId, sessionId, null, null, null);
        r.summaryOnly = true;
        r.summaryCount = count;
        r.summaryXor = xor;
        return r;
    }

    public boolean summaryOnly() {
        return summaryOnly;
    }

    public int summaryCount() {
        return summaryCount;
    }

    public long summaryXor() {
        return summaryXor;
    }

    public long epoch() {
        return epoch;
    }

    public int slotId() {
        return slotId;
    }

    public String sessionId() {
        return sessionId;
    }

    public ArrayList<DataInfoId> dataInfoIds() {
        return dataInfoIds;
    }

    public ArrayList<String> registerIds() {
        return registerIds;
    }

    public ArrayList<String> stamps() {
        return stamps;
    }

    @Override
    public String toString() {
        return "SessionSlotDigestRequest{" + "epoch=" + epoch + " slotId=" + slotId + " sessionId=" + sessionId + " dataInfoIds=" + dataInfoIds + " registerIds=" + registerIds + " stamps=" + stamps
                + (summaryOnly ? " summary=" + summaryCount + "/" + Long.toHexString(summaryXor) : "") + "}";
    }
}
