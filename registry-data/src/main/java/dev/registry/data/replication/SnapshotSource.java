package dev.registry.data.replication;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.protocol.DatumBatch;
import dev.registry.common.protocol.OpLogEntry;
import dev.registry.common.protocol.SlotSnapshotDigest;
import dev.registry.data.store.DatumStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a slot's copy gives and takes outside the leader's log shipping: the leader's answers to
 * a follower's snapshot ({@link SnapshotFetcher} asks for the digest, then the datums that
 * differ) and a follower's in-order apply of one log entry. Stateless.
 */
final class SnapshotSource {
    private SnapshotSource() {
    }

    /**
     * The slot's per-id versions and content hashes, labelled with the log position they cover.
     * Read after {@code seq} was taken: anything newer is replayed later and skipped by version.
     */
    static SlotSnapshotDigest digest(DatumStore store, int slot, String logId, long seq) {
        Map<DataInfoId, DatumStore.DigestEntry> digest = store.digest(slot);
        ArrayList<Long> versions = new ArrayList<>(digest.size());
        ArrayList<Long> hashes = new ArrayList<>(digest.size());
        digest.values().forEach(e -> {
            versions.add(e.version());
            hashes.add(e.contentHash());
        });
        return new SlotSnapshotDigest(logId, seq, new ArrayList<>(digest.keySet()), versions, hashes);
    }

    static DatumBatch datums(DatumStore store, int slot, List<DataInfoId> ids) {
        ArrayList<Datum> out = new ArrayList<>(ids.size());
        for (DataInfoId id : ids) {
            out.add(store.get(slot, id));
        }
        return new DatumBatch(out);
    }

    /** A follower applies the leader's entry (a TOUCH only raises the version; see {@link DatumStore#raiseVersions}). */
    static void apply(DatumStore store, int slot, OpLogEntry e) {
        if (e.kind() == SlotReplication.KIND_PUT) {
            store.applyPut(slot, e.publisher(), e.version(), e.changedAtMillis());
        } else if (e.kind() == SlotReplication.KIND_TOUCH) {
            store.applyTouch(slot, e.dataInfoId(), e.version(), e.changedAtMillis());
        } else {
            store.applyRemove(slot, e.dataInfoId(), e.registerId(), e.version(), e.changedAtMillis());
        }
    }
}
