package dev.registry.data.replication;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.protocol.DatumBatch;
import dev.registry.common.protocol.FetchDatumsRequest;
import dev.registry.common.protocol.SlotSnapshotDigest;
import dev.registry.common.protocol.SlotSnapshotDigestRequest;
import dev.registry.common.rpc.PeerCalls;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import dev.registry.data.store.DatumStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A follower's snapshot of one slot from its leader: the leader's digest (every id with its
 * version, and the log position it was read at), then, in batches, only the datums whose
 * versions differ here. They replace the local ones, and ids the leader no longer holds are
 * dropped; entries written meanwhile come again from the log after that position and are
 * skipped by version.
 *
 * <p>Threading: runs on the network threads, outside {@link SlotReplication}'s lock (each store
 * write is atomic in the store); the caller records the outcome under its lock.
 */
final class SnapshotFetcher {
    private static final Logger log = LoggerFactory.getLogger(SnapshotFetcher.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final DatumStore store;
    private final PeerCalls peers;
    private final int batchSize;
    /** One INFO line per window for the snapshots a leader change sets off in every slot. */
    private final dev.registry.common.log.WarnSummary applied;
    private final dev.registry.common.log.WarnSummary failed;

    SnapshotFetcher(DatumStore store, PeerCalls peers, int batchSize, java.util.function.LongSupplier clockMillis) {
        this.store = store;
        this.peers = peers;
        this.batchSize = batchSize;
        this.applied = dev.registry.common.log.WarnSummary.atInfo(log, "snapshot applied for", 5_000, clockMillis);
        this.failed = new dev.registry.common.log.WarnSummary(log, "snapshot failed for", 5_000, clockMillis);
    }

    /** Logs the counts the summaries gathered (the caller's timer). */
    void flushLog() {
        applied.flush();
        failed.flush();
    }

    /**
     * Fetches and applies {@code slot} from {@code leader}, then hands {@code done} the leader's
     * digest (its log id and position), or the failure, which is logged after {@code done} ran.
     */
    void fetch(String leader, int slot, long tableEpoch, Applier applier, BiConsumer<SlotSnapshotDigest, Throwable> done) {
        fetchAndApply(leader, slot, tableEpoch, applier).whenComplete((digest, error) -> {
            done.accept(digest, error);
            if (error != null) {
                // NOT_LEADER: this follower learnt the table before its leader did, a routine race
                // on every table change (once per slot); the next sync tick asks again.
                RpcException rpc = RpcException.unwrap(error);
                if (rpc != null && rpc.code() == ErrorCode.NOT_LEADER) {
                    log.debug("slot {}: snapshot from {} not served yet: {}", slot, leader, error.getMessage());
                } else {
                    failed.warn("slot " + slot, "from " + leader + ": " + error.getMessage());
                }
            }
        });
    }

    /**
     * Runs a snapshot's writes to the store if, by then, this server still follows the slot
     * from the leader it asked (atomically with respect to role changes); false if it no longer
     * does. A snapshot answered late (its leader paused, the network slow) must not overwrite
     * what this server holds as the slot's new leader, or as another leader's follower.
     */
    @FunctionalInterface
    interface Applier {
        boolean applyIfStillFollowing(Runnable writes);
    }

    private CompletableFuture<SlotSnapshotDigest> fetchAndApply(String leader, int slot, long tableEpoch,
                                                               Applier applier) {
        return peers.call(leader, new SlotSnapshotDigestRequest(tableEpoch, slot),
                SlotSnapshotDigest.class, CALL_TIMEOUT).thenCompose(digest -> {
                    Map<DataInfoId, DatumStore.DigestEntry> mine = store.digest(slot);
                    ArrayList<DataInfoId> differing = new ArrayList<>();
                    for (int i = 0; i < digest.dataInfoIds().size(); i++) {
                        DataInfoId id = digest.dataInfoIds().get(i);
                        DatumStore.DigestEntry here = mine.get(id);
                        boolean sameVersion = here != null && digest.versions().get(i) == here.version();
                        // Equal versions from two leaders' clocks can hide different publishers (found by the
                        // simulator): compare the content too when the leader sent its hashes.
                        boolean sameContent = digest.contentHashes() == null
                                || (here != null && digest.contentHashes().get(i) == here.contentHash());
                        if (!sameVersion || !sameContent) {
                            differing.add(id);
                        }
                    }
                    List<CompletableFuture<DatumBatch>> fetches = new ArrayList<>();
                    for (int from = 0; from < differing.size(); from += batchSize) {
                        ArrayList<DataInfoId> chunk = new ArrayList<>(differing.subList(from,
                                Math.min(differing.size(), from + batchSize)));
                        fetches.add(peers.call(leader, new FetchDatumsRequest(tableEpoch, slot, chunk),
                                DatumBatch.class, CALL_TIMEOUT));
                    }
                    return CompletableFuture.allOf(fetches.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                        boolean applies = applier.applyIfStillFollowing(() -> {
                            for (CompletableFuture<DatumBatch> b : fetches) {
                                for (Datum d : b.join().datums()) {
                                    store.replace(slot, d);
                                }
                            }
                            store.retainOnly(slot, new HashSet<>(digest.dataInfoIds()));
                        });
                        if (!applies) {
                            throw new RpcException(ErrorCode.NOT_LEADER, "slot " + slot + " changed hands while its "
                                    + "snapshot from " + leader + " was on the way; not applied");
                        }
                        applied.warn("slot " + slot, "from " + leader + " (" + differing.size() + " of "
                                + digest.dataInfoIds().size() + " ids differed)");
                        return digest;
                    });
                });
    }
}
