package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;

/**
 * Slot leader -> follower: ids, versions and content hashes (parallel lists) as of log position
 * {@code seq} of {@code logId}. Wire DTO. The content hashes catch a datum two leaders each
 * wrote at the same version (their clocks stamp versions): equal versions, different
 * publishers. A leader of an older build sends none (null): versions alone are compared then.
 */
public final class SlotSnapshotDigest implements Serializable {
    private static final long serialVersionUID = 1L;

    private String logId;
    private long seq;
    private ArrayList<DataInfoId> dataInfoIds;
    private ArrayList<Long> versions;
    private ArrayList<Long> contentHashes;

    @SuppressWarnings("unused")
    private SlotSnapshotDigest() {
    }

    public SlotSnapshotDigest(String logId, long seq, ArrayList<DataInfoId> dataInfoIds, ArrayList<Long> versions) {
        this(logId, seq, dataInfoIds, versions, null);
    }

    public SlotSnapshotDigest(String logId, long seq, ArrayList<DataInfoId> dataInfoIds, ArrayList<Long> versions,
                              ArrayList<Long> contentHashes) {
        this.logId = logId;
        this.seq = seq;
        this.dataInfoIds = dataInfoIds;
        this.versions = versions;
        this.contentHashes = contentHashes;
    }

    /** Per id, a hash of its publishers ({@code DatumStore#digest}); null from a leader of an older build. */
    public ArrayList<Long> contentHashes() {
        return contentHashes;
    }

    public String logId() {
        return logId;
    }

    public long seq() {
        return seq;
    }

    public ArrayList<DataInfoId> dataInfoIds() {
        return dataInfoIds;
    }

    public ArrayList<Long> versions() {
        return versions;
    }

    @Override
    public String toString() {
        return "SlotSnapshotDigest{" + "logId=" + logId + " seq=" + seq + " dataInfoIds=" + dataInfoIds + " versions=" + versions + "}";
    }
}
