package dev.registry.data.replication;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.DatumBatch;
import dev.registry.common.protocol.OpLogEntry;
import dev.registry.common.protocol.ReplicateRequest;
import dev.registry.common.protocol.ReplicateResponse;
import dev.registry.common.protocol.SlotSnapshotDigest;
import dev.registry.common.rpc.PeerCalls;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.store.DatumStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The role of this data server in every slot, and asynchronous replication between roles.
 *
 * <p>Leader: each effective change is appended to the slot's {@link SlotOpLog} and shipped in
 * batches to the followers by {@link #pump} (the write is acknowledged to the session before
 * that: replication is asynchronous). A newly led slot is <em>reconciling</em> until every
 * live session has synced it ({@link #onSessionSynced}) or a deadline passed; only then does
 * it serve reads, so subscribers never see a list that is partial because of the move.
 *
 * <p>Follower: applies entries strictly in order; an entry from another log (new leader) or
 * after a gap makes it pull a snapshot ({@link SnapshotFetcher}): the leader's per-id version
 * digest, then only the datums whose versions differ.
 *
 * <p>Threading: role state is guarded by {@code this}; network calls run outside the lock.
 */
public final class SlotReplication {
    private static final Logger log = LoggerFactory.getLogger(SlotReplication.class);
    public static final int KIND_PUT = 1;
    public static final int KIND_REMOVE = 2;
    /** Only the version went up ({@link DatumStore#raiseVersions}); a follower of an older build takes it as a no-op removal. */
    public static final int KIND_TOUCH = 3;
    /** An idle follower is probed after this many probe intervals without an answer (4 x 500 ms). */
    private static final int IDLE_PROBE_PROBES = 4;

    /** Tunables. */
    public record Settings(int maxLogEntries, int batchSize, Duration probeInterval, Duration reconcileDeadline) {
        public static Settings defaults() {
            return new Settings(100_000, 512, Duration.ofMillis(500), Duration.ofSeconds(10));
        }
    }

    private final String self;
    private final String incarnation;
    private final DatumStore store;
    private final PeerCalls peers;
    private final SnapshotFetcher snapshots;
    private final Settings settings;
    private final LongSupplier clockMillis;
    /** Slots that serve reads before every session synced: one WARN line per window, not per slot. */
    private final dev.registry.common.log.WarnSummary lateReads;
    /** A leader change makes every slot it led snapshot at once: one INFO line per window, not per slot. */
    private final dev.registry.common.log.WarnSummary snapshotsStarted;
    private final Map<Integer, LeaderSlot> led = new HashMap<>();
    private final Map<Integer, FollowerSlot> followed = new HashMap<>();
    private long epoch;

    /** One follower's position in a led slot's log, as its answers report it. */
    private static final class Progress {
        long nextSeq = 1;
        long ackedSeq = -1;
        boolean synced;
        boolean inFlight;
        long notBefore;
        long lastAnswer;

        /** The follower applied up to {@code seq} of this log (all of the batch, or up to a gap): send from there. */
        void appliedThrough(long seq) {
            synced = true;
            ackedSeq = seq;
            nextSeq = seq + 1;
        }
    }

    private static final class LeaderSlot {
        final SlotOpLog log;
        final long sinceEpoch;
        final ReadGate gate;
        final Map<String, Progress> followers = new LinkedHashMap<>();

        LeaderSlot(SlotOpLog log, long sinceEpoch, long readableDeadline) {
            this.log = log;
            this.sinceEpoch = sinceEpoch;
            this.gate = new ReadGate(readableDeadline);
        }
    }

    private static final class FollowerSlot {
        final String leader;
        String logId;
        long appliedSeq;
        boolean snapshotting;

        FollowerSlot(String leader) {
            this.leader = leader;
        }
    }

    public SlotReplication(String self, DatumStore store, PeerCalls peers, Settings settings,
                           LongSupplier clockMillis) {
        this(self, store, peers, settings, clockMillis, newIncarnation());
    }

    /** A value unique to this process's life (its start on the wall clock, and some nanoseconds). */
    public static String newIncarnation() {
        return Long.toString(System.currentTimeMillis(), 36) + "." + Long.toString(System.nanoTime() & 0xfffff, 36);
    }

    /**
     * @param clockMillis monotonic, for intervals: a stepped wall clock would stall replication or
     *                    open read gates early (the simulator's clock faults)
     * @param incarnation unique to the process, part of every log id: a server restarted under its
     *                    address within one epoch must not reuse a log id its followers hold entries
     *                    of, or they skip the new log's first entries (docs/reliability.md)
     */
    public SlotReplication(String self, DatumStore store, PeerCalls peers, Settings settings,
                           LongSupplier clockMillis, String incarnation) {
        this.incarnation = incarnation;
        this.self = self;
        this.store = store;
        this.peers = peers;
        this.snapshots = new SnapshotFetcher(store, peers, settings.batchSize(), clockMillis);
        this.settings = settings;
        this.clockMillis = clockMillis;
        this.lateReads = new dev.registry.common.log.WarnSummary(log,
                "serving reads after the reconcile deadline", 5_000, clockMillis);
        this.snapshotsStarted = dev.registry.common.log.WarnSummary.atInfo(log,
                "new leader log, snapshot needed for", 5_000, clockMillis);
    }

    /** Adopts a new slot table; returns the slots this server leads from now on that it did not lead before. */
    public synchronized Set<Integer> onSlotTable(SlotTable table) {
        epoch = table.epoch();
        Set<Integer> newlyLed = new HashSet<>();
        long now = clockMillis.getAsLong();
        for (SlotAssignment a : table.slots()) {
            int slot = a.slotId();
            if (self.equals(a.leader())) {
                followed.remove(slot);
                LeaderSlot l = led.get(slot);
                if (l != null && a.leaderSince() > l.sinceEpoch) {
                    // It lost the slot and got it back in tables this server never saw: what it holds may
                    // be stale, so this is a new tenure (new log, read gate closed), not a continuation.
                    l = null;
                }
                if (l == null) {
                    l = new LeaderSlot(new SlotOpLog(self + "@" + table.epoch() + "/" + slot + "#" + incarnation,
                            settings.maxLogEntries()),
                            table.epoch(), now + settings.reconcileDeadline().toMillis());
                    led.put(slot, l);
                    newlyLed.add(slot);
                }
                l.followers.keySet().retainAll(a.followers());
                for (String f : a.followers()) {
                    l.followers.computeIfAbsent(f, x -> new Progress());
                }
            } else if (a.followers().contains(self)) {
                led.remove(slot);
                FollowerSlot f = followed.get(slot);
                if (f == null || !f.leader.equals(a.leader())) {
                    FollowerSlot next = new FollowerSlot(a.leader());
                    if (f != null) {
                        // Same data, new leader's log: the next entries trigger a digest compare.
                        next.logId = null;
                    }
                    followed.put(slot, next);
                }
            } else {
                boolean held = led.remove(slot) != null | followed.remove(slot) != null;
                if (held || store.slots().contains(slot)) {
                    store.dropSlot(slot);
                }
            }
        }
        return newlyLed;
    }

    // ---- leader side ----

    public synchronized boolean leads(int slot) {
        return led.containsKey(slot);
    }

    public synchronized Set<Integer> ledSlots() {
        return new HashSet<>(led.keySet());
    }

    /**
     * Applies a leader write to the store and logs it, atomically, so the log order is the
     * store's order (followers apply by version and would drop a reordered older change).
     */
    public synchronized DatumStore.Change write(int slot, java.util.function.Function<DatumStore, DatumStore.Change> write) {
        DatumStore.Change change = write.apply(store);
        record(slot, change);
        return change;
    }

    /** Applies and logs a batch of leader changes produced under this lock. */
    public synchronized List<DatumStore.Change> writeAll(java.util.function.Function<DatumStore, List<DatumStore.Change>> write) {
        List<DatumStore.Change> changes = write.apply(store);
        for (DatumStore.Change c : changes) {
            record(store.slotOf(c.dataInfoId()), c);
        }
        return changes;
    }

    private void record(int slot, DatumStore.Change change) {
        LeaderSlot l = led.get(slot);
        if (l == null || !change.changed()) {
            return;
        }
        int kind = change.kind() == DatumStore.Kind.PUT ? KIND_PUT
                : change.kind() == DatumStore.Kind.REMOVE ? KIND_REMOVE : KIND_TOUCH;
        l.log.append(kind, change.publisher(), change.dataInfoId(), change.registerId(), change.version(),
                change.changedAtMillis());
        if (l.followers.isEmpty()) {
            // Nobody to ship to (one copy per slot): holding the log only costs memory (an entry
            // per registration). A follower assigned later starts from a snapshot, as after a gap.
            l.log.truncateThrough(l.log.lastSeq());
        }
    }

    /** Whether a led slot already serves reads, without deciding anything (progress reports). */
    public synchronized boolean servesReads(int slot) {
        LeaderSlot l = led.get(slot);
        return l != null && l.gate.isOpen();
    }

    /** Whether a led slot's gate opened at the reconcile deadline, some session not synced (logged at WARN). */
    public synchronized boolean servesReadsLate(int slot) {
        LeaderSlot l = led.get(slot);
        return l != null && l.gate.openedLate();
    }

    /** Whether a led slot serves reads ({@link ReadGate}: every expected session synced, or the deadline passed). */
    public synchronized boolean isReadable(int slot, Set<String> expectedSessions) {
        LeaderSlot l = led.get(slot);
        if (l == null) {
            return false;
        }
        ReadGate.Decision d = l.gate.check(expectedSessions, clockMillis.getAsLong());
        if (d.openedNow() && d.missing().isEmpty()) {
            // Per slot at DEBUG: the data server logs the takeover's progress over all slots once a second.
            log.debug("slot {} reconciled with {} sessions; serving reads", slot, expectedSessions.size());
        } else if (d.openedNow()) {
            lateReads.warn("slot " + slot, "sessions not synced: " + d.missing());
        }
        return d.open();
    }

    /** This server's tenure as the slot's leader (the table epoch it began at), or -1 if it does not lead it. */
    public synchronized long tenure(int slot) {
        LeaderSlot l = led.get(slot);
        return l == null ? -1 : l.sinceEpoch;
    }

    /** The slot's leader answered a session's digest during {@code tenure} (ignored if that tenure ended). */
    public synchronized void onSessionDigested(int slot, String sessionId, long tenure) {
        LeaderSlot l = led.get(slot);
        if (l != null && l.sinceEpoch == tenure) {
            l.gate.digested(sessionId);
        }
    }

    /** One page [from, to) of a session's digest was answered during {@code tenure} ({@link ReadGate#digestPage}). */
    public synchronized void onSessionDigestPage(int slot, String sessionId, long tenure,
                                                 dev.registry.common.protocol.SessionSlotDigestRequest.Key from,
                                                 dev.registry.common.protocol.SessionSlotDigestRequest.Key to,
                                                 boolean truncated) {
        LeaderSlot l = led.get(slot);
        if (l != null && l.sinceEpoch == tenure) {
            l.gate.digestPage(sessionId, from, to, truncated);
        }
    }

    /** A session repaired the slot after a digest; counts only after a digest of this tenure ({@link ReadGate#synced}). */
    public synchronized void onSessionSynced(int slot, String sessionId) {
        LeaderSlot l = led.get(slot);
        if (l != null) {
            l.gate.synced(sessionId);
        }
    }

    /** Ships pending log entries (or a probe) to every follower that has none in flight. */
    public void pump() {
        snapshotsStarted.flush();
        snapshots.flushLog();
        List<Runnable> sends = new ArrayList<>();
        synchronized (this) {
            long now = clockMillis.getAsLong();
            for (Map.Entry<Integer, LeaderSlot> e : led.entrySet()) {
                int slot = e.getKey();
                LeaderSlot l = e.getValue();
                for (Map.Entry<String, Progress> fe : l.followers.entrySet()) {
                    Progress p = fe.getValue();
                    boolean pending = p.nextSeq <= l.log.lastSeq();
                    // An idle, synced follower is still probed now and then: one that restarted empty under its
                    // address (meta saw nothing) would otherwise wait for the slot's next write (the simulator).
                    boolean quiet = now - p.lastAnswer < IDLE_PROBE_PROBES * settings.probeInterval().toMillis();
                    if (p.inFlight || now < p.notBefore || (p.synced && !pending && quiet)) {
                        continue;
                    }
                    List<OpLogEntry> entries = l.log.from(p.nextSeq, settings.batchSize());
                    long fromSeq = p.nextSeq;
                    if (entries == null) {
                        // Truncated: a probe at the oldest entry makes the follower snapshot.
                        fromSeq = l.log.firstSeq();
                        entries = List.of();
                    }
                    p.inFlight = true;
                    ReplicateRequest request = new ReplicateRequest(epoch, slot, l.log.logId(), fromSeq,
                            new ArrayList<>(entries));
                    String follower = fe.getKey();
                    sends.add(() -> send(slot, follower, request));
                }
            }
        }
        sends.forEach(Runnable::run);
    }

    private void send(int slot, String follower, ReplicateRequest request) {
        peers.call(follower, request, ReplicateResponse.class, Duration.ofSeconds(5))
                .whenComplete((response, error) -> onReplicated(slot, follower, request, response, error));
    }

    private synchronized void onReplicated(int slot, String follower, ReplicateRequest request,
                                           ReplicateResponse response, Throwable error) {
        LeaderSlot l = led.get(slot);
        if (l == null || !l.log.logId().equals(request.logId())) {
            return;
        }
        Progress p = l.followers.get(follower);
        if (p == null) {
            return;
        }
        p.inFlight = false;
        p.lastAnswer = clockMillis.getAsLong();
        if (error != null) {
            p.notBefore = clockMillis.getAsLong() + settings.probeInterval().toMillis();
            log.debug("replicating slot {} to {} failed: {}", slot, follower, error.getMessage());
            return;
        }
        if (l.log.logId().equals(response.logId())) {
            p.appliedThrough(response.appliedSeq()); // not accepted: a gap or behind, resend from what it has
            long minAcked = Long.MAX_VALUE;
            for (Progress other : l.followers.values()) {
                minAcked = Math.min(minAcked, other.synced ? other.ackedSeq : -1);
            }
            if (response.accepted() && minAcked > 0) {
                l.log.truncateThrough(minAcked);
            }
        } else {
            // On another log or taking a snapshot: probe again shortly.
            p.synced = false;
            p.nextSeq = Math.max(1, l.log.firstSeq());
            p.notBefore = clockMillis.getAsLong() + Math.min(100, settings.probeInterval().toMillis());
        }
    }

    /** Digest of a led slot for a follower's snapshot. */
    public SlotSnapshotDigest digest(int slot) {
        String logId;
        long seq;
        synchronized (this) {
            LeaderSlot l = led.get(slot);
            if (l == null) {
                throw new RpcException(ErrorCode.NOT_LEADER, self + " does not lead slot " + slot, epoch);
            }
            logId = l.log.logId();
            seq = l.log.lastSeq();
        }
        return SnapshotSource.digest(store, slot, logId, seq);
    }

    public DatumBatch datums(int slot, List<DataInfoId> ids) {
        if (!leads(slot)) {
            throw new RpcException(ErrorCode.NOT_LEADER, self + " does not lead slot " + slot, epoch);
        }
        return SnapshotSource.datums(store, slot, ids);
    }

    // ---- follower side ----

    /** Applies a leader's batch in order, or reports a gap / other log and starts a snapshot. */
    public ReplicateResponse onReplicate(ReplicateRequest request) {
        int slot = request.slotId();
        FollowerSlot f;
        synchronized (this) {
            f = followed.get(slot);
            if (f == null) {
                return new ReplicateResponse(false, null, -1); // table lag: the leader retries
            }
            if (!f.snapshotting && request.logId().equals(f.logId) && request.fromSeq() <= f.appliedSeq + 1) {
                for (OpLogEntry e : request.entries() == null ? List.<OpLogEntry>of() : request.entries()) {
                    if (e.seq() != f.appliedSeq + 1) {
                        continue; // duplicate of what was applied
                    }
                    SnapshotSource.apply(store, slot, e);
                    f.appliedSeq = e.seq();
                }
                return new ReplicateResponse(true, f.logId, f.appliedSeq);
            }
            if (f.snapshotting) {
                return new ReplicateResponse(false, f.logId, f.appliedSeq);
            }
            f.snapshotting = true;
        }
        snapshotsStarted.warn("slot " + slot, "following " + f.leader + " log " + request.logId() + " (had log "
                + f.logId + " at " + f.appliedSeq + ")");
        snapshot(slot, f);
        return new ReplicateResponse(false, f.logId, f.appliedSeq);
    }

    private void snapshot(int slot, FollowerSlot f) {
        long tableEpoch;
        synchronized (this) {
            tableEpoch = epoch;
        }
        SnapshotFetcher.Applier stillFollowing = writes -> {
            synchronized (this) {
                if (followed.get(slot) != f) {
                    return false; // led here now, or followed from another leader: the answer is stale
                }
                writes.run();
                return true;
            }
        };
        snapshots.fetch(f.leader, slot, tableEpoch, stillFollowing, (digest, error) -> {
            synchronized (this) {
                f.snapshotting = false;
                if (error == null && followed.get(slot) == f) {
                    f.logId = digest.logId();
                    f.appliedSeq = digest.seq();
                }
            }
        });
    }

    /** Role, log position and replication lag (entries and milliseconds) of every slot held here. */
    public synchronized List<SlotView> view() {
        List<SlotView> out = new ArrayList<>();
        long now = store.clockMillis(); // changedAtMillis is wall-clock time
        for (Map.Entry<Integer, LeaderSlot> e : new java.util.TreeMap<>(led).entrySet()) {
            LeaderSlot l = e.getValue();
            Map<String, Long> lag = new LinkedHashMap<>();
            Map<String, Long> lagMs = new LinkedHashMap<>();
            l.followers.forEach((f, p) -> {
                long acked = Math.max(0, p.ackedSeq);
                lag.put(f, l.log.lastSeq() - acked);
                List<OpLogEntry> pending = p.synced ? l.log.from(acked + 1, 1) : null;
                lagMs.put(f, pending == null || pending.isEmpty() ? (p.synced ? 0L : -1L)
                        : Math.max(0, now - pending.get(0).changedAtMillis()));
            });
            out.add(new SlotView(e.getKey(), "leader", l.log.logId(), l.log.lastSeq(), lag, lagMs, l.gate.isOpen(), null, 0,
                    false));
        }
        for (Map.Entry<Integer, FollowerSlot> e : new java.util.TreeMap<>(followed).entrySet()) {
            FollowerSlot f = e.getValue();
            out.add(new SlotView(e.getKey(), "follower", f.logId, 0, Map.of(), Map.of(), false, f.leader, f.appliedSeq,
                    f.snapshotting));
        }
        return out;
    }

    /** Per-slot replication lag (entries not yet acknowledged by the slowest follower), for metrics. */
    public synchronized long maxReplicationLag() {
        long max = 0;
        for (LeaderSlot l : led.values()) {
            for (Progress p : l.followers.values()) {
                max = Math.max(max, l.log.lastSeq() - Math.max(0, p.ackedSeq));
            }
        }
        return max;
    }

    public synchronized int followedSlots() {
        return followed.size();
    }
}
