package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;

/**
 * Session -> slot leader: the publishers this session holds in the slot, as parallel lists of
 * id, registerId and stamp (version/connectionId). Wire DTO.
 *
 * <p>A slot with many publishers is compared in pages: each page lists the publishers whose
 * (id, registerId) lies in [from, to) in {@link #ORDER}, and the leader answers needed and
 * extra publishers within that range only. No bounds = the whole slot (one page). So one client
 * with 100k publishers in a slot cannot make the digest too large to send, which would leave the
 * slot unreconciled for everybody.
 */
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
    /** Page bounds: inclusive from, exclusive to; null ids = open ends. */
    private DataInfoId fromId;
    private String fromRegisterId;
    private DataInfoId toId;
    private String toRegisterId;
    /**
     * With a takeover's first page or summary: the versions of the slot's ids this session has
     * already pushed (parallel lists; null when not sent). The new leader raises lower versions
     * above them, or sessions and clients would drop its lists as older.
     */
    private ArrayList<DataInfoId> knownIds;
    private ArrayList<Long> knownVersions;

    /** The order pages follow: by id (its string form), then registerId. */
    public static final java.util.Comparator<Key> ORDER = java.util.Comparator
            .comparing((Key k) -> k.id().toString()).thenComparing(Key::registerId);

    /** A publisher's place in {@link #ORDER}. */
    public record Key(DataInfoId id, String registerId) {
    }

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

    /** This digest carrying the versions this session pushed of the slot's ids (see {@link #knownIds}). */
    public SessionSlotDigestRequest withKnownVersions(ArrayList<DataInfoId> ids, ArrayList<Long> versions) {
        if (ids.size() != versions.size()) {
            throw new IllegalArgumentException("known ids and versions differ in length");
        }
        this.knownIds = ids;
        this.knownVersions = versions;
        return this;
    }

    /** Ids whose pushed versions this digest carries, or null. */
    public ArrayList<DataInfoId> knownIds() {
        return knownIds;
    }

    /** The pushed versions of {@link #knownIds}, or null. */
    public ArrayList<Long> knownVersions() {
        return knownVersions;
    }

    /** This digest as the page [from, to) of the slot (null = open end). */
    public SessionSlotDigestRequest page(Key from, Key to) {
        this.fromId = from == null ? null : from.id();
        this.fromRegisterId = from == null ? null : from.registerId();
        this.toId = to == null ? null : to.id();
        this.toRegisterId = to == null ? null : to.registerId();
        return this;
    }

    /** The page's first key, or null from the slot's start. */
    public Key from() {
        return fromId == null ? null : new Key(fromId, fromRegisterId);
    }

    /** The key after the page, or null to the slot's end. */
    public Key to() {
        return toId == null ? null : new Key(toId, toRegisterId);
    }

    /** True if {@code key} lies in this page. */
    public boolean covers(Key key) {
        Key from = from();
        Key to = to();
        return (from == null || ORDER.compare(key, from) >= 0) && (to == null || ORDER.compare(key, to) < 0);
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
                + (summaryOnly ? " summary=" + summaryCount + "/" + Long.toHexString(summaryXor) : "")
                + (fromId != null || toId != null ? " page=[" + from() + ", " + to() + ")" : "") + "}";
    }
}
