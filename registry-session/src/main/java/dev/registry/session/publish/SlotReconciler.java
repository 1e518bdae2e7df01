package dev.registry.session.publish;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SessionSlotDigestResponse;
import dev.registry.common.protocol.SlotSyncDone;
import dev.registry.common.protocol.WriteResult;
import dev.registry.session.link.LeaderCalls;
import dev.registry.session.store.PublisherKey;
import dev.registry.session.store.SessionPublisherStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sessions are the source of truth for publishers: this brings a slot's leader to exactly
 * what this session holds for the slot. It sends a digest (id, registerId, stamp per
 * publisher); the leader answers what it lacks or holds stale, and what it holds from this
 * session that the digest did not list. Lacking ones are written; extras are removed only if
 * the session still does not hold them when the answer arrives (a registration racing the
 * digest must not be deleted). Then {@link SlotSyncDone} tells the leader this session is
 * reconciled, which a new leader waits for before serving reads.
 *
 * <p>Runs on every leader change of a slot, when a data server (re)connects, and
 * periodically. One sync per slot at a time; requests meanwhile coalesce into one more run.
 *
 * <p>Threading: per-slot state guarded by {@code this}; I/O without the lock.
 */
public final class SlotReconciler {
    private volatile boolean stopped;
    /** A leader that stops answering fails all its slots at once: one WARN line per window, not per slot. */
    private final dev.registry.common.log.WarnSummary notReconciled;
    private static final Logger log = LoggerFactory.getLogger(SlotReconciler.class);

    private final String sessionId;
    private final SessionPublisherStore store;
    private final PublisherSyncer syncer;
    private final LeaderCalls links;
    private final int slotCount;
    private final Duration deadline;
    /** Publishers per digest page: a page and its answer stay far below the frame limit. */
    private final int pageSize;
    private final Map<Integer, Boolean> running = new HashMap<>(); // value: run again when done
    private final LongAdder syncs = new LongAdder();
    private final LongAdder repaired = new LongAdder();
    private final LongAdder summaryMismatches = new LongAdder();

    public SlotReconciler(String sessionId, SessionPublisherStore store, PublisherSyncer syncer, LeaderCalls links,
                          int slotCount, Duration deadline) {
        this(sessionId, store, syncer, links, slotCount, deadline, DEFAULT_PAGE_SIZE);
    }

    /** Publishers per digest page by default (a page of them is ~0.5 MB on the wire at most). */
    public static final int DEFAULT_PAGE_SIZE = 4096;

    public SlotReconciler(String sessionId, SessionPublisherStore store, PublisherSyncer syncer, LeaderCalls links,
                          int slotCount, Duration deadline, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be positive");
        }
        this.pageSize = pageSize;
        this.sessionId = sessionId;
        this.store = store;
        this.syncer = syncer;
        this.links = links;
        this.slotCount = slotCount;
        this.deadline = deadline;
        this.notReconciled = new dev.registry.common.log.WarnSummary(log, "not reconciled with its leader", 5_000,
                System::currentTimeMillis);
    }

    /**
     * Per slot, the versions this session pushed of the slot's ids, sent with the first page of
     * the slot's next full run (a takeover): the new leader raises its lower versions above them.
     */
    private final Map<Integer, Map<DataInfoId, Long>> pushedToSend = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile java.util.function.Function<Collection<Integer>, Map<Integer, Map<DataInfoId, Long>>> pushedVersions =
            slots -> Map.of();

    /** Where the versions pushed of each slot's ids come from (the session's subscribers); one call per batch of slots. */
    public void setPushedVersions(
            java.util.function.Function<Collection<Integer>, Map<Integer, Map<DataInfoId, Long>>> pushedVersions) {
        this.pushedVersions = pushedVersions;
    }

    /** Full runs of slots whose leader changed (or restarted): each new leader also learns what was pushed. */
    public void syncSlots(Collection<Integer> slots) {
        pushedToSend.putAll(pushedVersions.apply(slots));
        slots.forEach(this::syncSlot);
    }

    public void syncSlot(int slot) {
        syncSlot(slot, false);
    }

    /**
     * Periodic sync of one slot: first only the slot's summary (count and fingerprint XOR of
     * this session's publishers); the full digest follows only if the leader's differs. An
     * unchanged slot then costs two numbers instead of every publisher in it.
     */
    public void syncSlotBySummary(int slot) {
        syncSlot(slot, true);
    }

    private void syncSlot(int slot, boolean summaryFirst) {
        synchronized (this) {
            if (running.containsKey(slot)) {
                running.put(slot, true);
                return;
            }
            running.put(slot, false);
        }
        if (summaryFirst) {
            runSummary(slot);
        } else {
            run(slot);
        }
    }

    private void runSummary(int slot) {
        if (store.slotSummary(slot) == null) {
            run(slot);
            return;
        }
        syncs.increment();
        AtomicLong digestEpoch = new AtomicLong();
        links.callLeader(slot, epoch -> {
                    // Summed when it goes out, not before: see run.
                    long[] summary = store.slotSummary(slot);
                    digestEpoch.set(epoch);
                    return summary == null ? SessionSlotDigestRequest.summary(epoch, slot, sessionId, -1, 0) // differs: full run
                            : SessionSlotDigestRequest.summary(epoch, slot, sessionId, (int) summary[0], summary[1]);
                }, SessionSlotDigestResponse.class, deadline)
                .whenComplete((answer, error) -> {
                    if (error == null && answer.summaryMismatch()) {
                        summaryMismatches.increment();
                        run(slot, false); // still this slot's one run: the full digest takes over
                        return;
                    }
                    if (error != null) {
                        finish(slot, error);
                        return;
                    }
                    links.callLeader(slot, epoch -> new SlotSyncDone(digestEpoch.get(), slot, sessionId),
                            WriteResult.class, deadline).whenComplete((ok, e) -> finish(slot, e));
                });
    }

    private void run(int slot) {
        run(slot, true);
    }

    private void run(int slot, boolean count) {
        if (count) {
            syncs.increment();
        }
        // "Synced" speaks for the leader that answered the digest, so it carries the digest's epoch:
        // had it carried the epoch of its own sending, a leader that took the slot over meanwhile
        // would count this session as synced without ever having compared its publishers, and
        // serve reads without them. A leader newer than the digest ignores it
        // (SlotOwnership#predatesTenure); the table change that made it leader has queued another
        // run of this slot.
        //
        // The publishers are listed when the first page goes out (each retry lists them again), not
        // when the run starts: a digest retried for seconds would otherwise reach a leader that took
        // the slot over, or restarted empty, with a list that lacks what this session registered
        // meanwhile through the leader before, and "synced" would open the read gate without them
        // (simulator seeds 172, 301172).
        AtomicLong digestEpoch = new AtomicLong();
        AtomicBoolean truncated = new AtomicBoolean();
        AtomicReference<List<Publisher>> held = new AtomicReference<>(List.of());
        pagesFrom(slot, 0, held, digestEpoch, truncated)
                .thenCompose(v -> links.callLeader(slot, epoch -> new SlotSyncDone(digestEpoch.get(), slot, sessionId),
                        WriteResult.class, deadline))
                .whenComplete((ok, error) -> {
                    if (error == null) {
                        pushedToSend.remove(slot); // the leader has them; a failed run sends them again
                    }
                    if (error == null && truncated.get()) {
                        synchronized (this) {
                            running.put(slot, true); // the leader listed only some extras: remove the rest next run
                        }
                    }
                    finish(slot, error);
                });
    }

    /** The digest's page starting at {@code from}, then the pages after it. */
    private CompletableFuture<Void> pagesFrom(int slot, int from, AtomicReference<List<Publisher>> held,
                                              AtomicLong digestEpoch, AtomicBoolean truncated) {
        return page(slot, from, held, digestEpoch, truncated).thenCompose(v -> from + pageSize < held.get().size()
                ? pagesFrom(slot, from + pageSize, held, digestEpoch, truncated)
                : CompletableFuture.completedFuture(null));
    }

    /** Compares and repairs one page of the slot's digest; the first page lists the slot's publishers as it goes out. */
    private CompletableFuture<Void> page(int slot, int start, AtomicReference<List<Publisher>> held, AtomicLong digestEpoch,
                                         AtomicBoolean truncated) {
        Map<DataInfoId, Long> pushed = start == 0 ? pushedToSend.get(slot) : null;
        AtomicReference<List<Publisher>> sent = new AtomicReference<>();
        return links.callLeader(slot, epoch -> {
                    if (start == 0) {
                        List<Publisher> listed = new ArrayList<>(store.desiredInSlot(slot));
                        listed.sort((a, b) -> SessionSlotDigestRequest.ORDER.compare(key(a), key(b)));
                        held.set(listed);
                        digestEpoch.set(epoch);
                    }
                    List<Publisher> all = held.get();
                    int end = Math.min(all.size(), start + pageSize);
                    List<Publisher> page = all.subList(start, end);
                    sent.set(page);
                    ArrayList<DataInfoId> ids = new ArrayList<>(page.size());
                    ArrayList<String> registerIds = new ArrayList<>(page.size());
                    ArrayList<String> stamps = new ArrayList<>(page.size());
                    for (Publisher p : page) {
                        ids.add(p.dataInfoId());
                        registerIds.add(p.registerId());
                        stamps.add(p.syncStamp());
                    }
                    // The first page starts at the slot's start, the last ends at its end: a range covers
                    // publishers the leader holds that this session no longer does.
                    SessionSlotDigestRequest.Key from = start == 0 ? null : key(all.get(start));
                    SessionSlotDigestRequest.Key to = end >= all.size() ? null : key(all.get(end));
                    SessionSlotDigestRequest r = new SessionSlotDigestRequest(epoch, slot, sessionId, ids, registerIds,
                            stamps).page(from, to);
                    if (pushed != null && !pushed.isEmpty()) {
                        r.withKnownVersions(new ArrayList<>(pushed.keySet()), new ArrayList<>(pushed.values()));
                    }
                    return r;
                }, SessionSlotDigestResponse.class, deadline)
                .thenCompose(answer -> {
                    if (answer.extrasTruncated()) {
                        truncated.set(true);
                    }
                    return repair(sent.get(), answer);
                });
    }

    private static SessionSlotDigestRequest.Key key(Publisher p) {
        return new SessionSlotDigestRequest.Key(p.dataInfoId(), p.registerId());
    }

    /**
     * Graceful stop, before the links close: waits until no slot run (with the writes and removals
     * it repairs) is in flight, or {@code timeout} passed. A run that would remove this session's stale
     * copies from a new leader (a removal the leader before it acknowledged but never replicated)
     * otherwise dies with the session, and the copies stay until the data servers' session lease
     * expires them. Returns whether everything finished.
     */
    public boolean awaitQuiet(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (this) {
                if (running.isEmpty()) {
                    return true;
                }
            }
            if (System.nanoTime() >= end) {
                return false;
            }
            try {
                Thread.sleep(10); // shutdown only, bounded by timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** How long a graceful stop waits for the slot runs in flight ({@link #stopAfterRunsInFlight}). */
    public static final Duration STOP_FLUSH = Duration.ofSeconds(2);

    /** Graceful stop: {@link #awaitQuiet} for at most {@link #STOP_FLUSH}, then {@link #stop}. */
    public void stopAfterRunsInFlight() {
        if (!awaitQuiet(STOP_FLUSH)) {
            log.info("stopping with slot syncs still in flight; the data servers expire what is left after the session grace");
        }
        stop();
    }

    /** The session is stopping: what fails from now on failed because of that (no WARN per slot on a graceful stop). */
    public void stop() {
        stopped = true;
    }

    private void finish(int slot, Throwable error) {
        if (error != null) {
            if (stopped) {
                log.debug("slot {} not reconciled: session stopping ({})", slot, error.getMessage());
            } else {
                notReconciled.warn("slot " + slot, error.getMessage());
            }
        }
        boolean again;
        synchronized (this) {
            again = Boolean.TRUE.equals(running.remove(slot));
            if (again) {
                running.put(slot, false);
            }
        }
        if (again) {
            run(slot); // a leader change or reconnect asked meanwhile: the full digest
        }
    }

    private CompletableFuture<Void> repair(List<Publisher> held, SessionSlotDigestResponse answer) {
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        if (answer.needed() != null) {
            for (int i : answer.needed()) {
                if (i >= 0 && i < held.size()) {
                    Publisher p = held.get(i);
                    writes.add(syncer.sync(new PublisherKey(p.dataInfoId(), p.registerId())));
                }
            }
        }
        if (answer.extraIds() != null) {
            for (int i = 0; i < answer.extraIds().size(); i++) {
                PublisherKey key = new PublisherKey(answer.extraIds().get(i), answer.extraRegisterIds().get(i));
                if (store.desired(key) != null) {
                    writes.add(syncer.sync(key)); // registered meanwhile: write the current one
                } else if (store.isWithdrawing(key)) {
                    continue; // a moved client's publisher in its grace period: leave it alone
                } else {
                    Publisher stale = new Publisher(key.dataInfoId(), key.registerId(), 0, List.of(), null, null, null,
                            0, sessionId, answer.extraConnectionIds().get(i));
                    writes.add(syncer.syncRemoval(stale));
                }
            }
        }
        repaired.add(writes.size());
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]));
    }

    public long syncs() {
        return syncs.sum();
    }

    /** Periodic syncs whose summary differed from the leader's, so the full digest ran. */
    public long summaryMismatches() {
        return summaryMismatches.sum();
    }

    public long repaired() {
        return repaired.sum();
    }
}
