package dev.registry.sim;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.DataChangeNotice;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.meta.TableGossip;
import dev.registry.common.rpc.Backoff;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.session.link.SlotLeaderCalls;
import dev.registry.session.publish.PublisherSyncer;
import dev.registry.session.publish.SlotReconciler;
import dev.registry.session.store.PublisherKey;
import dev.registry.session.store.SessionPublisherStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A session server in the simulation. Its publisher path is the real one: the
 * {@link SessionPublisherStore}, the {@link PublisherSyncer} (one call in flight per key, later
 * changes re-run it, failures retried) and the {@link SlotReconciler} (summary, whole-slot
 * digest, repairs, "synced"), calling slot leaders through the real {@link SlotLeaderCalls}
 * retry policy over the simulated network, on this node's {@link SimScheduler}. It triggers
 * them as SessionServer does: every slot whose leader changed, the slots of a data server that
 * restarted, one slot of the periodic sweep per tick, a slot whose leader fell behind what was
 * pushed. Subscribers are modelled: the datum of a changed id is fetched from its slot leader
 * and never an older version than was pushed is taken. The ground truth of the simulation is
 * the store here.
 */
final class SimSession implements SimNetwork.Handler {
    /** One attempt of a call to a data server, as the session's data links. */
    private static final Duration CALL = Duration.ofSeconds(3);
    /** SessionServerConfig's defaults: the write deadline; the syncer's background retry. */
    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(10);
    private static final Duration BACKGROUND_RETRY = Duration.ofSeconds(2);
    /** The periodic sweep takes every slot once in this long (the real default is 30 s; runs here are short). */
    private static final long SWEEP_MILLIS = 3_000;
    private static final int TRACE_SLOT = Integer.getInteger("sim.traceSlot", -1);

    private void trace(int slot, String what) {
        if (slot == TRACE_SLOT) {
            System.err.printf("%.3f %s %s%n", loop.nowMicros() / 1e6, id, what);
        }
    }

    private final String id;
    private final SimLoop loop;
    private final SimNetwork net;
    private final SimChecker checker;
    private final String meta;
    private final int slotCount;
    private final List<DataInfoId> watched;
    private final SessionPublisherStore store;
    private final PublisherSyncer syncer;
    private final SlotReconciler reconciler;
    /** Client calls not answered yet: they fail when this session crashes (their connection goes). */
    private final Set<CompletableFuture<Void>> pending = new java.util.LinkedHashSet<>();
    private final Map<DataInfoId, Long> pushed = new TreeMap<>((a, b) -> a.canonical().compareTo(b.canonical()));
    private final Map<DataInfoId, List<String>> lastPush = new HashMap<>();
    private final Set<DataInfoId> fetching = new java.util.HashSet<>();
    private final Set<DataInfoId> refetch = new java.util.HashSet<>();
    private SlotTable table;
    private int nextSweepSlot;
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
        SimScheduler scheduler = new SimScheduler(loop, this::alive, () -> net.isRunning(id));
        SlotLeaderCalls leaders = new SlotLeaderCalls(() -> table, new SlotLeaderCalls.Transport() {
            @Override
            public <T> CompletableFuture<T> call(String server, Object request, Class<T> responseType) {
                return net.call(id, server, request, responseType, CALL);
            }
        }, scheduler, new Backoff(Duration.ofMillis(20), Duration.ofMillis(500), new java.util.Random(loop.random().nextLong())),
                () -> loop.nowMicros() * 1000, this::refreshSoon, () -> !alive());
        this.store = new SessionPublisherStore(slotCount);
        this.syncer = new PublisherSyncer(store, leaders, slotCount, scheduler, WRITE_DEADLINE, BACKGROUND_RETRY);
        this.reconciler = new SlotReconciler(id, store, syncer, leaders, slotCount, WRITE_DEADLINE);
        reconciler.setPushedVersions(this::pushedVersionsBySlot);
        every(200, this::beat);
        every(Math.max(1, SWEEP_MILLIS / slotCount), this::sweepNextSlot);
        every(1_000, () -> watched.forEach(this::fetch));
        every(200, this::noticeRestartedDataServers);
        every(200, () -> table.servers().forEach(server -> net.send(id, server, new SimDataNode.SessionPing(id))));
        TableGossip gossip = new TableGossip(id, () -> table,
                (server, request) -> net.call(id, server, request, Object.class, Duration.ofSeconds(2)),
                () -> lastMetaAnswer < 0 ? Long.MAX_VALUE : loop.nowMillis() - lastMetaAnswer, 400, this::install);
        every(1_000, gossip::tick); // as SessionServer
    }

    /** When meta last answered a beat (simulated time), -1 before the first answer. */
    private long lastMetaAnswer = -1;

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

    // ---- client operations (as ClientRequests) ----

    /** Registers or replaces {@code p}; completes once its slot leader holds it. */
    CompletableFuture<Void> put(Publisher p) {
        if (store.put(p) == SessionPublisherStore.PutOutcome.STALE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("stale version of " + p.registerId()));
        }
        return answered(syncer.sync(new PublisherKey(p.dataInfoId(), p.registerId())));
    }

    /** Unregisters; completes once its slot leader no longer holds it (or a left-behind copy of it). */
    CompletableFuture<Void> remove(DataInfoId dataInfoId, String registerId) {
        PublisherKey key = new PublisherKey(dataInfoId, registerId);
        Publisher removed = store.remove(key, null);
        return answered(removed == null ? syncer.syncLeftBehindRemoval(key, null) : syncer.syncRemoval(removed));
    }

    private CompletableFuture<Void> answered(CompletableFuture<Long> call) {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        pending.add(answer);
        call.whenComplete((v, e) -> {
            if (pending.remove(answer)) {
                if (e == null) {
                    answer.complete(null);
                } else {
                    answer.completeExceptionally(e);
                }
            }
        });
        return answer;
    }

    /** The session crashed: what its clients wait for fails (their calls lose their connection). */
    void crashed() {
        RuntimeException lost = new IllegalStateException("session " + id + " crashed");
        List<CompletableFuture<Void>> waiting = new ArrayList<>(pending);
        pending.clear();
        waiting.forEach(f -> f.completeExceptionally(lost));
    }

    /** Every publisher this session holds (the ground truth at the end of a run). */
    List<Publisher> desiredPublishers() {
        List<Publisher> all = new ArrayList<>();
        for (int slot = 0; slot < slotCount; slot++) {
            all.addAll(store.desiredInSlot(slot));
        }
        return all;
    }

    /** The values this session last pushed for {@code id} (null before its first push). */
    List<String> lastPush(DataInfoId dataInfoId) {
        return lastPush.get(dataInfoId);
    }

    // ---- slot reconciliation (triggered as SessionServer does) ----

    private void sweepNextSlot() {
        if (table.isComplete()) {
            int slot = nextSweepSlot;
            nextSweepSlot = (slot + 1) % slotCount;
            trace(slot, "sweep reconcile with " + table.slot(slot).leader() + "@" + table.epoch());
            reconciler.syncSlotBySummary(slot);
        }
    }

    private void takeOver(List<Integer> slots) {
        if (!slots.isEmpty()) {
            slots.forEach(slot -> trace(slot, "takeover reconcile with " + table.slot(slot).leader() + "@" + table.epoch()));
            reconciler.syncSlots(slots);
        }
    }

    private Map<Integer, Map<DataInfoId, Long>> pushedVersionsBySlot(java.util.Collection<Integer> slots) {
        Map<Integer, Map<DataInfoId, Long>> out = new HashMap<>();
        pushed.forEach((dataInfoId, v) -> {
            int slot = slotOf(dataInfoId);
            if (slots.contains(slot)) {
                out.computeIfAbsent(slot, x -> new HashMap<>()).put(dataInfoId, v);
            }
        });
        return out;
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
                takeOver(table.slotsLedBy(server));
            }
        }
    }

    // ---- tables and pushes ----

    private boolean refreshing;

    /** As MetaClient#refreshSoon: one table request at a time, however many calls failed. */
    private void refreshSoon() {
        if (!refreshing) {
            refreshing = true;
            loop.afterMillis(50, () -> {
                refreshing = false;
                if (alive() && net.isRunning(id)) {
                    beat();
                }
            });
        }
    }

    private void beat() {
        net.call(id, meta, new SimMeta.SessionBeat(id), SlotTable.class, Duration.ofMillis(500))
                .whenComplete((t, error) -> {
                    if (t != null) {
                        lastMetaAnswer = loop.nowMillis();
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
        List<Integer> changed = new ArrayList<>();
        for (int s = 0; s < slotCount; s++) {
            String leader = t.slot(s).leader();
            if (leader != null && (!leader.equals(old.slot(s).leader())
                    || t.slot(s).leaderSince() > old.slot(s).leaderSince())) {
                changed.add(s);
            }
        }
        takeOver(changed);
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
                takeOver(List.of(slot)); // as PushEngine#onVersionBehind: tell the leader what was pushed
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
}
