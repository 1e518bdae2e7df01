package dev.registry.sim;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.DataChangeNotice;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.protocol.RemovePublisherRequest;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SessionSlotDigestResponse;
import dev.registry.common.protocol.SlotSyncDone;
import dev.registry.common.protocol.WritePublisherRequest;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A session server in the simulation, doing what the real one does towards the data tier:
 * each publisher key converges to the session's desired state (one call in flight per key,
 * later changes re-run it, failures retried), every slot whose leader changed is reconciled
 * (summary, then a whole-slot digest, repairs, then "synced", which opens the new leader's read
 * gate), and subscribers get the datum of a changed id fetched from its slot leader, never an
 * older version than they had. The ground truth of the simulation is the desired state here.
 */
final class SimSession implements SimNetwork.Handler {
    private static final Duration CALL = Duration.ofSeconds(3);
    private static final int TRACE_SLOT = Integer.getInteger("sim.traceSlot", -1);

    private void trace(int slot, String what) {
        if (slot == TRACE_SLOT) {
            System.err.printf("%.3f %s %s%n", loop.nowMicros() / 1e6, id, what);
        }
    }

    private static final class KeyState {
        boolean running;
        boolean dirty;
        Publisher removed;
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        List<CompletableFuture<Void>> next = new ArrayList<>();
    }

    private final String id;
    private final SimLoop loop;
    private final SimNetwork net;
    private final SimChecker checker;
    private final String meta;
    private final int slotCount;
    private final List<DataInfoId> watched;
    /** Desired publishers by slot, then by "id|registerId" (sorted: digests list them in order). */
    private final Map<Integer, TreeMap<String, Publisher>> desired = new TreeMap<>();
    private final Map<String, KeyState> keys = new HashMap<>();
    private final Set<Integer> toReconcile = new TreeSet<>();
    private final Set<Integer> reconciling = new TreeSet<>();
    /** Slots whose leader changed: reconciled with a whole digest carrying the versions pushed (as SlotReconciler). */
    private final Set<Integer> takeovers = new TreeSet<>();
    private final Map<DataInfoId, Long> pushed = new TreeMap<>((a, b) -> a.canonical().compareTo(b.canonical()));
    private final Map<DataInfoId, List<String>> lastPush = new HashMap<>();
    private final Set<DataInfoId> fetching = new java.util.HashSet<>();
    private final Set<DataInfoId> refetch = new java.util.HashSet<>();
    private SlotTable table;
    private final int incarnation;
    /** The incarnation of each data server this session's link last reached. */
    private final Map<String, Integer> linkIncarnations = new TreeMap<>();

    SimSession(String id, SimLoop loop, SimNetwork net, SimChecker checker, String meta, int slotCount,
               List<DataInfoId> watched) {
        this.id = id;
        this.loop = loop;
        this.net = net;
        this.checker = checker;
        this.meta = meta;
        this.slotCount = slotCount;
        this.watched = List.copyOf(watched);
        this.table = SlotTable.initial(slotCount);
        net.attach(id, this);
        this.incarnation = net.incarnation(id);
        every(200, this::beat);
        every(50, this::reconcileSome);
        every(3_000, () -> {
            for (int s = 0; s < slotCount; s++) {
                toReconcile.add(s); // the periodic sweep: a summary per slot, repairs where it differs
            }
        });
        every(1_000, () -> watched.forEach(this::fetch));
        every(200, this::noticeRestartedDataServers);
        every(200, () -> table.servers().forEach(server -> net.send(id, server, new SimDataNode.SessionPing(id))));
    }

    String id() {
        return id;
    }

    /** This object's life: a crashed session's timers, retries and callbacks stop; a restart is a new object. */
    private boolean alive() {
        return net.isUp(id) && net.incarnation(id) == incarnation;
    }

    private void every(long millis, Runnable tick) {
        loop.afterMillis(millis, () -> {
            if (!alive()) {
                return;
            }
            if (net.isRunning(id)) {
                tick.run();
            }
            every(millis, tick);
        });
    }

    // ---- client operations ----

    /** Registers or replaces {@code p}; completes once its slot leader holds it. */
    CompletableFuture<Void> put(Publisher p) {
        int slot = slotOf(p.dataInfoId());
        desired.computeIfAbsent(slot, s -> new TreeMap<>()).put(key(p.dataInfoId(), p.registerId()), p);
        return sync(p.dataInfoId(), p.registerId(), null);
    }

    /** Unregisters; completes once its slot leader no longer holds it. */
    CompletableFuture<Void> remove(DataInfoId dataInfoId, String registerId) {
        TreeMap<String, Publisher> inSlot = desired.get(slotOf(dataInfoId));
        Publisher removed = inSlot == null ? null : inSlot.remove(key(dataInfoId, registerId));
        if (removed == null) {
            return CompletableFuture.completedFuture(null);
        }
        return sync(dataInfoId, registerId, removed);
    }

    /** The session crashed: what its clients wait for fails (their calls lose their connection). */
    void crashed() {
        RuntimeException lost = new IllegalStateException("session " + id + " crashed");
        for (KeyState st : keys.values()) {
            st.waiters.forEach(f -> f.completeExceptionally(lost));
            st.next.forEach(f -> f.completeExceptionally(lost));
        }
        keys.clear();
    }

    /** Every publisher this session holds (the ground truth at the end of a run). */
    List<Publisher> desiredPublishers() {
        List<Publisher> all = new ArrayList<>();
        desired.values().forEach(m -> all.addAll(m.values()));
        return all;
    }

    /** The values this session last pushed for {@code id} (null before its first push). */
    List<String> lastPush(DataInfoId dataInfoId) {
        return lastPush.get(dataInfoId);
    }

    // ---- key sync (as PublisherSyncer) ----

    private CompletableFuture<Void> sync(DataInfoId dataInfoId, String registerId, Publisher removed) {
        String k = key(dataInfoId, registerId);
        CompletableFuture<Void> done = new CompletableFuture<>();
        KeyState st = keys.computeIfAbsent(k, x -> new KeyState());
        if (removed != null) {
            st.removed = removed;
        }
        if (st.running) {
            st.dirty = true;
            st.next.add(done);
        } else {
            st.running = true;
            st.waiters.add(done);
            run(dataInfoId, registerId);
        }
        return done;
    }

    private void run(DataInfoId dataInfoId, String registerId) {
        if (!alive()) {
            return;
        }
        String k = key(dataInfoId, registerId);
        KeyState st = keys.get(k);
        int slot = slotOf(dataInfoId);
        Publisher want = desired.getOrDefault(slot, new TreeMap<>()).get(k);
        String leader = table.slot(slot).leader();
        CompletableFuture<WriteResult> call;
        if (leader == null) {
            call = CompletableFuture.failedFuture(new IllegalStateException("no leader yet"));
        } else if (want != null) {
            call = net.call(id, leader, new WritePublisherRequest(table.epoch(), slot, want), WriteResult.class, CALL);
        } else if (st.removed != null) {
            call = net.call(id, leader, new RemovePublisherRequest(table.epoch(), slot, dataInfoId, registerId,
                    st.removed.connectionId()), WriteResult.class, CALL);
        } else {
            call = CompletableFuture.completedFuture(new WriteResult(0, false));
        }
        trace(slot, "sync " + registerId + (want != null ? " write " + want.values() : st.removed != null ? " remove "
                + st.removed.connectionId() : " nothing") + " to " + leader);
        Publisher removalSent = want == null ? st.removed : null;
        call.whenComplete((r, error) -> {
            trace(slot, "sync " + registerId + " done" + (error == null ? "" : ": " + error.getMessage()));
            List<CompletableFuture<Void>> finished = st.waiters;
            if (error == null && want == null && st.removed == removalSent) {
                st.removed = null; // done, unless another removal was queued meanwhile (as PublisherSyncer)
            }
            boolean again;
            if (st.dirty) {
                st.dirty = false;
                st.waiters = st.next;
                st.next = new ArrayList<>();
                again = true;
            } else if (error != null) {
                st.waiters = new ArrayList<>();
                again = false;
            } else {
                keys.remove(k);
                again = false;
            }
            finished.forEach(f -> {
                if (error == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(error);
                }
            });
            if (again) {
                run(dataInfoId, registerId);
            } else if (error != null) {
                loop.afterMillis(100 + loop.random().nextInt(200), () -> {
                    if (alive() && keys.get(k) == st) {
                        run(dataInfoId, registerId); // background retry until it converges
                    }
                });
            }
        });
    }

    // ---- slot reconciliation ----

    private void reconcileSome() {
        for (Integer slot : new ArrayList<>(toReconcile)) {
            if (!reconciling.contains(slot)) {
                toReconcile.remove(slot);
                reconcile(slot);
            }
        }
    }

    private void reconcile(int slot) {
        if (!alive()) {
            return;
        }
        String leader = table.slot(slot).leader();
        if (leader == null) {
            return;
        }
        long epoch = table.epoch();
        reconciling.add(slot);
        TreeMap<String, Publisher> mine = desired.getOrDefault(slot, new TreeMap<>());
        long xor = 0;
        for (Publisher p : mine.values()) {
            xor ^= p.syncFingerprint();
        }
        boolean takeover = takeovers.remove(slot);
        trace(slot, (takeover ? "takeover" : "sweep") + " reconcile with " + leader + "@" + epoch + " holding "
                + mine.size());
        CompletableFuture<Void> compared = takeover ? repair(leader, epoch, slot, true)
                : net.call(id, leader, SessionSlotDigestRequest.summary(epoch, slot, id, mine.size(), xor),
                        SessionSlotDigestResponse.class, CALL).thenCompose(answer -> answer.summaryMismatch()
                        ? repair(leader, epoch, slot, false) : CompletableFuture.completedFuture(null));
        compared
                .thenCompose(v -> net.call(id, leader, new SlotSyncDone(epoch, slot, id), WriteResult.class, CALL))
                .whenComplete((v, error) -> {
                    reconciling.remove(slot);
                    trace(slot, "reconcile with " + leader + "@" + epoch + (error == null ? " synced" : " failed: " + error));
                    if (error != null) {
                        toReconcile.add(slot); // again on the next tick, against the table then
                        if (takeover) {
                            takeovers.add(slot);
                        }
                    }
                });
    }

    /** The whole slot as one digest page; writes what the leader lacks, removes what it holds in excess. */
    private CompletableFuture<Void> repair(String leader, long epoch, int slot, boolean withPushedVersions) {
        List<Publisher> mine = new ArrayList<>(desired.getOrDefault(slot, new TreeMap<>()).values());
        ArrayList<DataInfoId> ids = new ArrayList<>();
        ArrayList<String> registerIds = new ArrayList<>();
        ArrayList<String> stamps = new ArrayList<>();
        for (Publisher p : mine) {
            ids.add(p.dataInfoId());
            registerIds.add(p.registerId());
            stamps.add(p.syncStamp());
        }
        SessionSlotDigestRequest digest = new SessionSlotDigestRequest(epoch, slot, id, ids, registerIds, stamps);
        if (withPushedVersions) {
            ArrayList<DataInfoId> known = new ArrayList<>();
            ArrayList<Long> versions = new ArrayList<>();
            pushed.forEach((dataInfoId, v) -> {
                if (slotOf(dataInfoId) == slot) {
                    known.add(dataInfoId);
                    versions.add(v);
                }
            });
            digest.withKnownVersions(known, versions);
        }
        return net.call(id, leader, digest, SessionSlotDigestResponse.class, CALL).thenCompose(answer -> {
                    List<CompletableFuture<Void>> fixes = new ArrayList<>();
                    for (int i : answer.needed()) {
                        Publisher p = mine.get(i);
                        fixes.add(sync(p.dataInfoId(), p.registerId(), null));
                    }
                    for (int i = 0; i < answer.extraIds().size(); i++) {
                        // As SlotReconciler: an extra registered since the digest is written, not removed;
                        // removals go through the key's sync, in order with the client's own calls.
                        DataInfoId extraId = answer.extraIds().get(i);
                        String extraRegisterId = answer.extraRegisterIds().get(i);
                        if (desired.getOrDefault(slot, new TreeMap<>()).containsKey(key(extraId, extraRegisterId))) {
                            fixes.add(sync(extraId, extraRegisterId, null));
                        } else {
                            Publisher stale = new Publisher(extraId, extraRegisterId, 0, List.of(), null, null, null, 0,
                                    id, answer.extraConnectionIds().get(i));
                            fixes.add(sync(extraId, extraRegisterId, stale));
                        }
                    }
                    return CompletableFuture.allOf(fixes.toArray(new CompletableFuture<?>[0]));
                });
    }

    /**
     * As the real session's data link: a data server that restarted shows as a new connection,
     * and its led slots are reconciled as after a takeover (SessionServer#resyncSlotsLedBy), so a
     * server restarted under its address before meta noticed gets the sessions' publishers back.
     */
    private void noticeRestartedDataServers() {
        for (String server : table.servers()) {
            if (!net.isUp(server)) {
                continue;
            }
            int now = net.incarnation(server);
            Integer before = linkIncarnations.put(server, now);
            if (before != null && before != now) {
                for (int slot : table.slotsLedBy(server)) {
                    toReconcile.add(slot);
                    takeovers.add(slot);
                }
            }
        }
    }

    // ---- tables and pushes ----

    private void beat() {
        net.call(id, meta, new SimMeta.SessionBeat(id), SlotTable.class, Duration.ofMillis(500))
                .whenComplete((t, error) -> {
                    if (t != null) {
                        install(t);
                    }
                });
    }

    private void install(SlotTable t) {
        if (!t.isNewerThan(table)) {
            return;
        }
        SlotTable old = table;
        table = t;
        for (int s = 0; s < slotCount; s++) {
            if (!java.util.Objects.equals(old.slot(s).leader(), t.slot(s).leader())
                    || t.slot(s).leaderSince() > old.slot(s).leaderSince()) {
                toReconcile.add(s);
                takeovers.add(s);
            }
        }
        watched.forEach(this::fetch);
    }

    private void fetch(DataInfoId dataInfoId) {
        if (!alive()) {
            return;
        }
        if (!fetching.add(dataInfoId)) {
            refetch.add(dataInfoId);
            return;
        }
        int slot = slotOf(dataInfoId);
        String leader = table.slot(slot).leader();
        long requestedAt = loop.nowMicros();
        long epoch = table.epoch();
        CompletableFuture<Datum> call = leader == null ? CompletableFuture.failedFuture(new IllegalStateException("no leader"))
                : net.call(id, leader, new FetchDatumRequest(table.epoch(), dataInfoId), Datum.class, CALL);
        call.whenComplete((datum, error) -> {
            fetching.remove(dataInfoId);
            if (datum != null && datum.version() < pushed.getOrDefault(dataInfoId, 0L)) {
                toReconcile.add(slot); // as PushEngine#onVersionBehind: tell the leader what was pushed
                takeovers.add(slot);
            }
            if (datum != null && datum.version() > pushed.getOrDefault(dataInfoId, 0L)) {
                pushed.put(dataInfoId, datum.version());
                List<String> values = datum.values();
                lastPush.put(dataInfoId, values);
                checker.pushed(id, dataInfoId, datum.version(), values, requestedAt, leader, slot,
                        leader + "@" + epoch + " slot " + slot);
            }
            if (refetch.remove(dataInfoId)) {
                fetch(dataInfoId);
            } else if (error != null) {
                loop.afterMillis(100 + loop.random().nextInt(200), () -> {
                    if (alive()) {
                        fetch(dataInfoId);
                    }
                });
            }
        });
    }

    @Override
    public Object handle(String from, Object m) {
        if (m instanceof SlotTable t) {
            install(t);
            return null;
        } else if (m instanceof DataChangeNotice n) {
            if (n.version() > pushed.getOrDefault(n.dataInfoId(), 0L) && watched.contains(n.dataInfoId())) {
                fetch(n.dataInfoId());
            }
            return null;
        }
        throw new IllegalArgumentException("session: no handler for " + m.getClass().getSimpleName());
    }

    private int slotOf(DataInfoId dataInfoId) {
        return SlotHash.slotOf(dataInfoId, slotCount);
    }

    private static String key(DataInfoId dataInfoId, String registerId) {
        return dataInfoId.canonical() + "|" + registerId;
    }
}
