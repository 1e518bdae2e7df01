package dev.registry.data.session;

import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SessionSlotDigestResponse;
import dev.registry.common.protocol.SlotSyncDone;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.data.replication.SlotReplication;
import dev.registry.data.slot.SlotOwnership;
import dev.registry.data.store.DatumStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A slot this server newly leads serves reads only once the sessions reconciled it: each live
 * session compares its publishers of the slot with this leader's (a summary, or a digest in
 * pages), repairs the difference and says so ({@link SlotSyncDone}); the read gate of
 * {@link SlotReplication} opens when every expected session did, or at the reconcile deadline.
 * This class answers those requests, decides which sessions are expected, checks the gate for
 * reads, and logs the takeover's progress for operators.
 *
 * <p>Threading: handlers run on RPC threads; the gate's state is SlotReplication's, the
 * expected sessions are guarded by their own monitor, the progress fields are the timer thread's.
 */
public final class SessionReconciliation {
    private static final Logger log = LoggerFactory.getLogger(SessionReconciliation.class);
    /** A takeover raises versions in many slots at once: one INFO line per window. */
    private static final dev.registry.common.log.WarnSummary RAISED = dev.registry.common.log.WarnSummary.atInfo(log,
            "raised versions in", 5_000, System::currentTimeMillis);

    private final SlotOwnership ownership;
    private final SlotReplication replication;
    private final DatumStore store;
    private final MetaClient meta;
    /** Sessions new slot leaders wait for; guarded by itself (disconnects are recorded by the owner). */
    private final ExpectedSessions expectedSessions;
    /** The ids of the sessions connected now. */
    private final Supplier<Set<String>> connectedSessions;
    private final Clock clock;
    /** Timer thread only: slots led but not yet serving reads at the last report. */
    private int lastWaitingSlots;
    private long waitingSince;

    /** Tells the sessions of changes this class makes (versions raised on a takeover). */
    private final java.util.function.Consumer<DatumStore.Change> notifySessions;

    public SessionReconciliation(SlotOwnership ownership, SlotReplication replication, DatumStore store,
                                 MetaClient meta, ExpectedSessions expectedSessions,
                                 Supplier<Set<String>> connectedSessions, Clock clock,
                                 java.util.function.Consumer<DatumStore.Change> notifySessions) {
        this.notifySessions = notifySessions;
        this.ownership = ownership;
        this.replication = replication;
        this.store = store;
        this.meta = meta;
        this.expectedSessions = expectedSessions;
        this.connectedSessions = connectedSessions;
        this.clock = clock;
    }

    /** A session's digest of its publishers in a led slot: whole, one page, or a summary (count and hash). */
    public Object onSessionDigest(RpcConnection connection, SessionSlotDigestRequest request) {
        int slot = request.slotId();
        ownership.checkTakenOver(slot, request.epoch());
        raiseKnownVersions(slot, request);
        if (request.summaryOnly()) {
            if (request.sessionId() == null) {
                throw new IllegalArgumentException("digest needs a sessionId");
            }
            long tenure = replication.tenure(slot);
            if (!store.sessionSummaryMatches(slot, request.sessionId(), request.summaryCount(), request.summaryXor())) {
                return SessionSlotDigestResponse.summaryMismatched();
            }
            replication.onSessionDigested(slot, request.sessionId(), tenure);
            return SessionSlotDigestResponse.summaryMatched();
        }
        long tenure = replication.tenure(slot);
        SessionSlotDigestResponse answer = SessionDigestCheck.compare(request,
                store.publishersOfSession(slot, request.sessionId()), id -> {
                    DataInfoId checked = SlotOwnership.requireId(id);
                    ownership.checkSlot(slot, checked);
                    return checked;
                });
        // The session counts as digested once its last page is answered in this tenure after all
        // the earlier ones, and nothing was left out of an answer.
        replication.onSessionDigestPage(slot, request.sessionId(), tenure, request.from(), request.to(),
                answer.extrasTruncated());
        return answer;
    }

    /**
     * A taking-over session's digest says which versions of the slot's ids it already pushed; the
     * ones this copy has lower go above them (DatumStore#raiseVersions), logged and replicated
     * like any write, before the session's repairs and before the read gate opens.
     */
    private void raiseKnownVersions(int slot, SessionSlotDigestRequest request) {
        raiseKnownVersions(ownership, replication, slot, request, notifySessions);
    }

    /** {@link #raiseKnownVersions(int, SessionSlotDigestRequest)} for any data server shell (the simulator's too). */
    public static void raiseKnownVersions(SlotOwnership ownership, SlotReplication replication, int slot,
                                          SessionSlotDigestRequest request,
                                          java.util.function.Consumer<DatumStore.Change> notifySessions) {
        List<DataInfoId> ids = request.knownIds();
        List<Long> versions = request.knownVersions();
        if (ids == null || versions == null || ids.isEmpty()) {
            return;
        }
        if (ids.size() != versions.size() || ids.size() > 100_000) {
            throw new IllegalArgumentException("known versions: parallel lists of at most 100000 ids");
        }
        for (DataInfoId id : ids) {
            ownership.checkSlot(slot, SlotOwnership.requireId(id));
        }
        List<DatumStore.Change> raised = replication.writeAll(st -> st.raiseVersions(slot, ids, versions));
        raised.forEach(notifySessions);
        if (!raised.isEmpty()) {
            RAISED.warn("slot " + slot, raised.size() + " ids, above what session " + request.sessionId()
                    + " already pushed (a former leader's clock ran ahead)");
        }
    }

    /** A session repaired a led slot after its digest. */
    public Object onSlotSyncDone(RpcConnection connection, SlotSyncDone done) {
        ownership.checkTakenOver(done.slotId(), done.epoch());
        if (ownership.predatesTenure(done.slotId(), done.epoch())) {
            // The digest went to the leader before this one: the session compares again with this
            // server (the table change that made it leader queued that), and only that opens the gate.
            return new WriteResult(0, false);
        }
        replication.onSessionSynced(done.slotId(), done.sessionId());
        return new WriteResult(0, false);
    }

    /**
     * @throws RpcException NOT_LEADER unless this server leads the slot, UNAVAILABLE while the
     *                      slot is still reconciling with the sessions
     */
    public void checkReadable(int slot, long epoch) {
        ownership.checkLeader(slot, epoch);
        if (!replication.isReadable(slot, expectedSessions())) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "slot " + slot + " on " + ownership.self()
                    + " is reconciling with the sessions after a leader change; retry shortly", ownership.table().epoch());
        }
    }

    /** The sessions a newly led slot waits for: live ones by meta's word, plus those connected here. */
    public Set<String> expectedSessions() {
        HeartbeatResponse last = meta.lastResponse();
        List<String> metaList = last == null ? null : last.sessionServers();
        if (metaList == null) {
            meta.refreshSoon(); // the table came by push first: ask for the member list now
        }
        boolean complete = last != null && !last.sessionListIncomplete();
        synchronized (expectedSessions) {
            return expectedSessions.expected(connectedSessions.get(), metaList, complete, clock.millis());
        }
    }

    /**
     * Migration progress for operators: while led slots wait for the sessions' reconciliation
     * before serving reads, one line a second when the count changes, and one when all serve.
     * Timer thread only.
     */
    public void reportTakeoverProgress() {
        try {
            // Observes only: slots turn readable on the read path, as they always did.
            Set<Integer> led = replication.ledSlots();
            int waiting = 0;
            for (int slot : led) {
                if (!replication.servesReads(slot)) {
                    waiting++;
                }
            }
            int sessions = connectedSessions.get().size();
            if (waiting != lastWaitingSlots) {
                if (waiting > 0) {
                    if (lastWaitingSlots == 0) {
                        waitingSince = clock.millis();
                    }
                    log.info("taking over slots: {} of {} led slots serve reads, {} wait for the sessions ({} connected) "
                            + "to reconcile", led.size() - waiting, led.size(), waiting, sessions);
                } else {
                    log.info("all {} led slots serve reads ({} ms after the takeover began)", led.size(),
                            clock.millis() - waitingSince);
                }
                lastWaitingSlots = waiting;
            }
        } catch (RuntimeException e) {
            log.debug("takeover progress report failed: {}", e.toString());
        }
    }
}
