package dev.registry.sim;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.DataChangeNotice;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.protocol.FetchDatumsRequest;
import dev.registry.common.protocol.RemovePublisherRequest;
import dev.registry.common.protocol.ReplicateRequest;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SessionSlotDigestResponse;
import dev.registry.common.protocol.SlotSnapshotDigestRequest;
import dev.registry.common.protocol.SlotSyncDone;
import dev.registry.common.protocol.WritePublisherRequest;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.PeerCalls;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.meta.TableGossip;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.data.replication.SlotReplication;
import dev.registry.data.session.ExpectedSessions;
import dev.registry.data.session.SessionLease;
import dev.registry.data.session.SessionDigestCheck;
import dev.registry.data.session.SessionReconciliation;
import dev.registry.data.slot.SlotOwnership;
import dev.registry.data.store.DatumStore;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A data server in the simulation: the real {@link DatumStore}, {@link SlotReplication} (with its
 * snapshot fetcher and read gate), {@link SlotOwnership} and {@link SessionDigestCheck}, wired
 * as {@code DataServer} wires them, with the simulated network for peers and a simulated clock.
 * Only the Netty, HTTP and executor edges are replaced. One incarnation per object: a restart
 * builds a new one with an empty store.
 */
final class SimDataNode implements SimNetwork.Handler {
    /** A heartbeat to meta and its answer (the simulation's meta protocol). */
    record Beat(String address, long epoch) {
    }

    /** {@code complete}: false while meta may not have heard every live session yet (just started or back). */
    record MetaView(SlotTable table, List<String> sessions, boolean complete) {
    }

    /** A session's link heartbeat (its connection to this data server, in the simulation). */
    record SessionPing(String sessionId) {
    }

    /** How long without a ping a session's link counts as lost (the RPC idle timeout). */
    static final long LINK_TIMEOUT_MILLIS = 1_000;
    static final long SESSION_GRACE_MILLIS = 5_000;

    /** Debugging: -Dsim.traceSlot=N prints that slot's leader writes and follower applies to stderr. */
    private static final int TRACE_SLOT = Integer.getInteger("sim.traceSlot", -1);

    static final Duration PEER_TIMEOUT = Duration.ofSeconds(5);

    private final String address;
    private final SimLoop loop;
    private final SimNetwork net;
    private final SimChecker checker;
    private final String meta;
    private final SimClock clock;
    private final DatumStore store;
    private final SlotTableHolder tables;
    private final SlotReplication replication;
    private final SlotOwnership ownership;
    private final int incarnation;
    /** Meta's session list from the last heartbeat answer; null before the first (reads wait then). */
    private List<String> sessions;
    private boolean sessionsComplete;
    /** The real rule for which sessions a new slot leader waits for. */
    private final ExpectedSessions expectedSessions = new ExpectedSessions(Duration.ofMillis(SESSION_GRACE_MILLIS));
    /** The real session lease: a session gone for the grace loses its publishers here. */
    private final SessionLease sessionLease = new SessionLease(SESSION_GRACE_MILLIS);
    /** When each session's link last showed life (monotonic). */
    private final Map<String, Long> lastPing = new TreeMap<>();

    SimDataNode(String address, SimLoop loop, SimNetwork net, SimChecker checker, String meta, SimClock clock,
                int slotCount, SlotReplication.Settings settings) {
        this.address = address;
        this.loop = loop;
        this.net = net;
        this.checker = checker;
        this.meta = meta;
        this.clock = clock;
        this.store = new DatumStore(clock::millis, slotCount);
        this.tables = new SlotTableHolder(slotCount);
        PeerCalls peers = new PeerCalls() {
            @Override
            public <T> CompletableFuture<T> call(String peer, Object request, Class<T> type, Duration timeout) {
                CompletableFuture<T> f = net.call(address, peer, request, type, timeout);
                if (request instanceof ReplicateRequest r && r.slotId() == TRACE_SLOT) {
                    System.err.printf("%.3f %s -> %s replicate from %d%n", loop.nowMicros() / 1e6, address, peer, r.fromSeq());
                    f.whenComplete((a, e) -> System.err.printf("%.3f %s -> %s answered %s%n", loop.nowMicros() / 1e6,
                            address, peer, e == null ? a : e.getMessage()));
                }
                return f;
            }
        };
        this.replication = new SlotReplication(address, store, peers, settings, clock::monotonicMillis,
                Long.toString(loop.random().nextLong() & Long.MAX_VALUE, 36));
        this.ownership = new SlotOwnership(address, tables, () -> { }, replication::leads);
        tables.addListener((old, now) -> {
            if (!replication.onSlotTable(now).isEmpty()) {
                sessionLease.tookSlotsOver(); // as DataServer#onSlotTable
            }
        });
        net.attach(address, this);
        this.incarnation = net.incarnation(address);
        every(10, replication::pump);
        every(100, this::beat);
        every(500, this::expireAbsentSessions);
        TableGossip gossip = new TableGossip(address, tables::current,
                (server, request) -> net.call(address, server, request, Object.class, Duration.ofSeconds(2)),
                () -> lastMetaAnswer < 0 ? Long.MAX_VALUE : clock.monotonicMillis() - lastMetaAnswer, 200, tables::update);
        every(1_000, gossip::tick);
    }

    /** When meta last answered a heartbeat (monotonic), -1 before the first answer. */
    private long lastMetaAnswer = -1;

    String address() {
        return address;
    }

    SimClock clock() {
        return clock;
    }

    DatumStore store() {
        return store;
    }

    SlotReplication replication() {
        return replication;
    }

    SlotTable table() {
        return tables.current();
    }

    /** A timer of this incarnation: stops when it crashed, waits while it is paused. */
    private void every(long millis, Runnable tick) {
        loop.afterMillis(millis, () -> {
            if (net.incarnation(address) != incarnation || !net.isUp(address)) {
                return;
            }
            if (net.isRunning(address)) {
                tick.run();
            }
            every(millis, tick);
        });
    }

    private void beat() {
        net.call(address, meta, new Beat(address, tables.epoch()), MetaView.class, Duration.ofMillis(500))
                .whenComplete((view, error) -> {
                    if (view != null) {
                        lastMetaAnswer = clock.monotonicMillis();
                        sessions = view.sessions();
                        sessionsComplete = view.complete();
                        tables.update(view.table());
                    }
                });
    }

    /** Sessions whose link showed life within the timeout. */
    private Set<String> connectedSessions() {
        long now = clock.monotonicMillis();
        Set<String> out = new java.util.TreeSet<>();
        lastPing.forEach((s, at) -> {
            if (now - at <= LINK_TIMEOUT_MILLIS) {
                out.add(s);
            }
        });
        return out;
    }

    /** As DataServer#expireAbsentSessions, over the real SessionLease. */
    private void expireAbsentSessions() {
        long now = clock.monotonicMillis();
        lastPing.forEach((s, at) -> {
            if (now - at > LINK_TIMEOUT_MILLIS && now - at <= LINK_TIMEOUT_MILLIS + 500) {
                expectedSessions.disconnected(s, clock.millis()); // the link just dropped
                if (TRACE_SLOT >= 0) {
                    System.err.printf("%.3f %s: link of %s dropped (last ping %d ms ago)%n", loop.nowMicros() / 1e6,
                            address, s, now - at);
                }
            }
        });
        Set<Integer> led = replication.ledSlots();
        for (String gone : sessionLease.expired(store.sessionIds(led), connectedSessions(), now)) {
            List<DatumStore.Change> changes = replication.writeAll(st -> st.removeSession(gone, led));
            checker.log(address + ": session " + gone + " gone for " + SESSION_GRACE_MILLIS + " ms, removed its "
                    + changes.size() + " publishers");
            changes.forEach(this::notifySessions);
        }
    }

    @Override
    public Object handle(String from, Object m) {
        if (m instanceof SessionPing p) {
            lastPing.put(p.sessionId(), clock.monotonicMillis());
            return null;
        } else if (m instanceof SlotTable t) {
            tables.update(t);
            return null;
        } else if (m instanceof dev.registry.common.protocol.GetSlotTableRequest) {
            return tables.current(); // as DataServer: peers and sessions that lost meta ask (TableGossip)
        } else if (m instanceof WritePublisherRequest w) {
            return onWrite(w);
        } else if (m instanceof RemovePublisherRequest r) {
            return onRemove(r);
        } else if (m instanceof FetchDatumRequest f) {
            DataInfoId id = SlotOwnership.requireId(f.dataInfoId());
            int slot = SlotHash.slotOf(id, tables.current().slotCount());
            checkReadable(slot, f.epoch());
            return store.get(slot, id);
        } else if (m instanceof SessionSlotDigestRequest d) {
            if (TRACE_SLOT == d.slotId()) {
                System.err.printf("%.3f %s <- %s digest at epoch %d (%s, %d listed) %s%n", loop.nowMicros() / 1e6, address,
                        from, d.epoch(), d.summaryOnly() ? "summary" : "full", d.registerIds() == null ? 0 : d.registerIds().size(), d.registerIds());
            }
            return onDigest(d);
        } else if (m instanceof SlotSyncDone done) {
            if (TRACE_SLOT == done.slotId()) {
                System.err.printf("%.3f %s <- %s synced at epoch %d%n", loop.nowMicros() / 1e6, address, from, done.epoch());
            }
            ownership.checkTakenOver(done.slotId(), done.epoch());
            if (ownership.predatesTenure(done.slotId(), done.epoch())) {
                return new WriteResult(0, false); // as SessionReconciliation#onSlotSyncDone
            }
            replication.onSessionSynced(done.slotId(), done.sessionId());
            return new WriteResult(0, false);
        } else if (m instanceof ReplicateRequest r) {
            var answer = replication.onReplicate(r);
            if (TRACE_SLOT == r.slotId()) {
                StringBuilder b = new StringBuilder();
                r.entries().forEach(e -> b.append(' ').append(e.seq()).append(e.kind() == 1 ? "+" : "-")
                        .append(e.registerId()).append('@').append(e.version() % 1_000_000));
                System.err.printf("%.3f %s <- %s %s from %d:%s => %s %d%n", loop.nowMicros() / 1e6, address, from,
                        r.logId(), r.fromSeq(), b, answer.accepted(), answer.appliedSeq());
            }
            return answer;
        } else if (m instanceof SlotSnapshotDigestRequest r) {
            return replication.digest(r.slotId());
        } else if (m instanceof FetchDatumsRequest r) {
            return replication.datums(r.slotId(), r.dataInfoIds());
        }
        throw new RpcException(ErrorCode.NO_HANDLER, "no handler for " + m.getClass().getSimpleName());
    }

    private void checkReadable(int slot, long epoch) {
        ownership.checkLeader(slot, epoch);
        Set<String> expected = expectedSessions.expected(connectedSessions(), sessions, sessionsComplete,
                clock.millis());
        boolean before = replication.servesReads(slot);
        boolean readable = replication.isReadable(slot, expected);
        if (readable && !before && replication.servesReadsLate(slot)) {
            // The design's trade: after the reconcile deadline a slot serves reads without the sessions
            // that could not sync (a WARN in production); their publishers may be missing meanwhile.
            checker.lateGate(address, slot);
        }
        if (TRACE_SLOT == slot && readable && !before) {
            System.err.printf("%.3f %s gate of slot %d opens; expected %s, tenure %d%n", loop.nowMicros() / 1e6,
                    address, slot, expected, replication.tenure(slot));
        }
        if (!readable) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "slot " + slot + " reconciling", tables.epoch());
        }
    }

    private Object onWrite(WritePublisherRequest request) {
        Publisher p = request.publisher();
        DataInfoId id = SlotOwnership.requireId(p.dataInfoId());
        ownership.checkSlot(request.slotId(), id);
        ownership.checkTakenOver(request.slotId(), request.epoch());
        Publisher existing = store.publisher(request.slotId(), id, p.registerId());
        if (existing != null && !java.util.Objects.equals(existing.appName(), p.appName())) {
            throw new RpcException(ErrorCode.FORBIDDEN, "belongs to another app");
        }
        checker.leaderAccepted(request.slotId(), tables.epoch(), address);
        DatumStore.Change change = replication.write(request.slotId(), st -> st.put(request.slotId(), p));
        if (TRACE_SLOT == request.slotId() && change.changed()) {
            System.err.printf("%.3f %s leader +%s=%s from %s@%d%n", loop.nowMicros() / 1e6, address, p.registerId(),
                    p.values(), p.sessionId(), change.version() % 1_000_000);
        }
        notifySessions(change);
        return new WriteResult(change.version(), change.changed());
    }

    private Object onRemove(RemovePublisherRequest request) {
        DataInfoId id = SlotOwnership.requireId(request.dataInfoId());
        ownership.checkSlot(request.slotId(), id);
        ownership.checkTakenOver(request.slotId(), request.epoch());
        checker.leaderAccepted(request.slotId(), tables.epoch(), address);
        DatumStore.Change change = replication.write(request.slotId(),
                st -> st.remove(request.slotId(), id, request.registerId(), request.connectionId()));
        if (TRACE_SLOT == request.slotId() && change.changed()) {
            System.err.printf("%.3f %s leader -%s@%d%n", loop.nowMicros() / 1e6, address, request.registerId(),
                    change.version() % 1_000_000);
        }
        notifySessions(change);
        return new WriteResult(change.version(), change.changed());
    }

    /** As {@code SessionReconciliation.onSessionDigest}: a summary, or the whole slot in one page. */
    private Object onDigest(SessionSlotDigestRequest request) {
        int slot = request.slotId();
        ownership.checkTakenOver(slot, request.epoch());
        SessionReconciliation.raiseKnownVersions(ownership, replication, slot, request, this::notifySessions);
        long tenure = replication.tenure(slot);
        if (request.summaryOnly()) {
            if (!store.sessionSummaryMatches(slot, request.sessionId(), request.summaryCount(), request.summaryXor())) {
                return SessionSlotDigestResponse.summaryMismatched();
            }
            replication.onSessionDigested(slot, request.sessionId(), tenure);
            return SessionSlotDigestResponse.summaryMatched();
        }
        SessionSlotDigestResponse answer = SessionDigestCheck.compare(request,
                store.publishersOfSession(slot, request.sessionId()), checked -> {
                    ownership.checkSlot(slot, checked);
                    return checked;
                });
        replication.onSessionDigestPage(slot, request.sessionId(), tenure, request.from(), request.to(),
                answer.extrasTruncated());
        return answer;
    }

    private void notifySessions(DatumStore.Change change) {
        if (!change.changed()) {
            return;
        }
        DataChangeNotice notice = new DataChangeNotice(change.dataInfoId(), change.version(), change.publishers());
        for (String s : sessions == null ? List.<String>of() : sessions) {
            net.send(address, s, notice);
        }
    }
}
