package dev.registry.session.push;

import dev.registry.common.model.ContentFingerprint;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.DatumValues;
import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.PushDeltas;
import dev.registry.common.protocol.ZoneSplice;
import dev.registry.common.protocol.DatumVersions;
import dev.registry.common.protocol.DatumVersionsRequest;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.random.RandomSource;
import dev.registry.common.rpc.Backoff;
import dev.registry.common.slot.SlotHash;
import dev.registry.session.link.DataServerLinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Brings subscribers up to date: on a change notice (or a new subscriber) it fetches the datum
 * from the slot leader and pushes it to every subscriber that has an older version.
 *
 * <ul>
 *   <li>Rounds per DataInfoId are timed by {@link PushWindows}: at once when no round of the
 *       id is in flight; changes arriving during a round merge into one more; at most
 *       {@code burst} rounds back to back and {@code burst} per {@code window} sustained.
 *   <li>Only subscribers behind the datum's version are pushed ({@link SubscriberRegistry}).
 *   <li>A round ends when its pushes are sent, not acked. A failed push (no ack in time,
 *       connection not writable) or a failed fetch re-runs the round for that id with
 *       exponential backoff, up to {@code maxRetries} per id and connection; the periodic
 *       reconciliation picks up anything left after that.
 *   <li>An unexpected exception on the push path (a bug, not a failed call) is logged at WARN
 *       with its stack trace, counted, and handled like a failed round: the round still ends (so
 *       the id is never left in flight) and is retried with the same backoff and limit.
 *   <li>A connection whose unread outbound bytes exceed {@code maxPendingBytes} is a client that
 *       does not read: it is disconnected rather than buffered without bound.
 *   <li>Pushes are asynchronous, so a slow connection never holds up other subscribers or ids.
 * </ul>
 *
 * <p>Threading: window and announced versions guarded by {@code this}, retry state by its
 * {@link PushRetries}; I/O runs without a lock.
 */
public final class PushEngine {
    private static final Logger log = LoggerFactory.getLogger(PushEngine.class);

    /**
     * Tunables of the push engine.
     *
     * @param window rate window of one id's rounds: at most {@code burst} rounds back to back, then
     *               {@code burst} per window (storm protection; see {@link PushWindows})
     * @param burst  rounds of one id allowed back to back before the rate applies
     */
    public record Settings(Duration window, int burst, Duration fetchDeadline, Duration ackTimeout, int maxRetries,
                           Duration retryMin, Duration retryMax, long maxPendingBytes) {
        public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(1);
        public static final int DEFAULT_BURST = 20;

        public static Settings defaults() {
            return new Settings(DEFAULT_WINDOW, DEFAULT_BURST, Duration.ofSeconds(10), Duration.ofSeconds(5), 6,
                    Duration.ofMillis(100), Duration.ofSeconds(5), 16L * 1024 * 1024);
        }
    }

    private final SubscriberRegistry<PushTarget> subscribers;
    private final DataServerLinks links;
    private final int slotCount;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    /** Failed fetches of push rounds: one WARN line per window, not one per id. */
    private final dev.registry.common.log.WarnSummary fetchFailures;
    private static final long FAILURE_LOG_WINDOW_MILLIS = 5_000;
    private final PushWindows<DataInfoId> windows;
    private final PushRetries retries;
    /** Highest version a data server announced per id, to find subscribers left behind. */
    private final Map<DataInfoId, Long> announced = new HashMap<>();
    private final PushMetrics metrics = new PushMetrics();
    /**
     * Delta pushes, on unless {@code -Dregistry.push.deltas=false}: ~200x smaller on the wire
     * for one changed publisher among 200, and in scenario 2 of the bench a lower p50 in every
     * A/B pair and a lower p99 in most since push rounds stopped allocating per value
     * (docs/benchmarks.md). Only clients that announce them get them.
     */
    private volatile boolean deltas = !"false".equals(System.getProperty("registry.push.deltas"));
    /** Each id's last pushed list, for delta pushes to clients that take them. */
    private final DeltaBases deltaBases = new DeltaBases(DeltaBases.DEFAULT_BUDGET_VALUES);
    private volatile boolean paused;

    /** With retry jitter from an unseeded source (tests; the session passes its own). */
    public PushEngine(SubscriberRegistry<PushTarget> subscribers, DataServerLinks links, int slotCount, Settings settings,
                      ScheduledExecutorService scheduler, Clock clock) {
        this(subscribers, links, slotCount, settings, scheduler, clock,
                RandomSource.unseeded().forComponent("session.push"));
    }

    /** @param random jitter of the push retries' backoff (the node's RandomSource, so a seed replays it) */
    public PushEngine(SubscriberRegistry<PushTarget> subscribers, DataServerLinks links, int slotCount, Settings settings,
                      ScheduledExecutorService scheduler, Clock clock, Random random) {
        this.subscribers = subscribers;
        this.links = links;
        this.slotCount = slotCount;
        this.settings = settings;
        this.scheduler = scheduler;
        this.clock = clock;
        this.fetchFailures = new dev.registry.common.log.WarnSummary(log, "cannot fetch for its subscribers",
                FAILURE_LOG_WINDOW_MILLIS, clock::millis);
        this.windows = new PushWindows<>(settings.window().toMillis(), settings.burst());
        this.retries = new PushRetries(new Backoff(settings.retryMin(), settings.retryMax(), random),
                settings.maxRetries());
    }

    /** A data server announced a new version. */
    public void onNotice(DataInfoId id, long version) {
        synchronized (this) {
            announced.merge(id, version, Math::max);
        }
        if (subscribers.anyBehind(id, version)) {
            trigger(id);
        }
    }

    /** The most push rounds (so pushes per subscriber) one id can cost in any interval of that length. */
    public long maxRoundsIn(Duration interval) {
        return windows.maxRoundsIn(interval.toMillis());
    }

    /** Asks for a round for the id: now, or merged into the running or next allowed one. */
    public void trigger(DataInfoId id) {
        long startAt;
        long now = clock.millis();
        synchronized (this) {
            startAt = windows.onChange(id, now);
        }
        schedule(id, startAt, now);
    }

    private void schedule(DataInfoId id, long startAt, long now) {
        if (startAt == PushWindows.NONE) {
            return;
        }
        long delay = startAt - now;
        if (delay <= 0) {
            runRound(id);
        } else {
            try {
                scheduler.schedule(() -> runRound(id), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                log.debug("push scheduler stopped");
            } catch (RuntimeException e) {
                unexpected("scheduling a push round of " + id, e);
                releaseWindow(id);
            }
        }
    }

    private void runRound(DataInfoId id) {
        synchronized (this) {
            windows.onRoundStart(id, clock.millis());
        }
        CompletableFuture<DatumValues> fetch = null;
        try {
            if (!subscribers.hasSubscribers(id)) {
                deltaBases.forget(id);
            } else if (!paused) {
                metrics.rounds.increment();
                int slot = SlotHash.slotOf(id, slotCount);
                fetch = links.callLeader(slot, epoch -> FetchDatumRequest.forPush(epoch, id), DatumValues.class,
                        settings.fetchDeadline());
            }
        } catch (RuntimeException e) {
            unexpected("starting a push round of " + id, e);
            retryLater(id, PushRetries.unexpectedKey(id));
        }
        if (fetch == null) {
            endRound(id);
            return;
        }
        fetch.whenComplete((datum, error) -> {
            try {
                if (error != null) {
                    fetchFailures.warn(id, error.getMessage()); // a failover fails thousands at once: one line
                    retryLater(id, PushRetries.fetchKey(id));
                } else {
                    retries.succeeded(PushRetries.fetchKey(id));
                    pushToAll(datum);
                    retries.succeeded(PushRetries.unexpectedKey(id));
                }
            } catch (RuntimeException e) {
                unexpected("in a push round of " + id, e);
                retryLater(id, PushRetries.unexpectedKey(id));
            } finally {
                // The round ends once its pushes are sent: acks arrive on their own time, so a
                // slow subscriber never holds up the next round for anyone else.
                endRound(id);
            }
        });
    }

    /** A bug on the push path, not a failed call: never swallowed, always counted. */
    private void unexpected(String where, RuntimeException e) {
        metrics.unexpectedFailures.increment();
        log.warn("unexpected failure {}", where, e);
    }

    /**
     * Forgets the round the window holds as scheduled for {@code id} when it could not be
     * scheduled: otherwise every later change would merge into a round that never runs. The
     * id's next change or the reconciliation starts a new one.
     */
    private synchronized void releaseWindow(DataInfoId id) {
        long now = clock.millis();
        windows.onRoundStart(id, now);
        windows.onRoundEnd(id, now);
    }

    private void endRound(DataInfoId id) {
        long now = clock.millis();
        long next;
        synchronized (this) {
            next = windows.onRoundEnd(id, now);
        }
        schedule(id, next, now);
    }

    /** Re-runs the id's round after a backoff, up to maxRetries per failing key (id, or id + connection). */
    private void retryLater(DataInfoId id, String key) {
        long delay = retries.nextDelayMillis(key);
        if (delay == PushRetries.GIVE_UP) {
            metrics.pushesGivenUp.increment();
            log.warn("giving up on {} after {} retries; reconciliation will try again", key, settings.maxRetries());
            return;
        }
        metrics.pushesRetried.increment();
        try {
            scheduler.schedule(() -> trigger(id), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("push scheduler stopped");
        } catch (RuntimeException e) {
            // No retry then: the periodic reconciliation still finds the subscribers behind.
            unexpected("scheduling a retry of " + key, e);
        }
    }

    /** Told of an id whose leader answered below a version already pushed (see {@link #pushToAll}). */
    private volatile java.util.function.Consumer<DataInfoId> versionBehind = id -> { };

    public void onVersionBehind(java.util.function.Consumer<DataInfoId> listener) {
        this.versionBehind = listener;
    }

    /** Sends the datum to every subscriber behind it; does not wait for the acks. */
    private void pushToAll(DatumValues datum) {
        synchronized (this) {
            announced.merge(datum.dataInfoId(), datum.version(), Math::max);
        }
        if (subscribers.maxPushedVersion(datum.dataInfoId()) > datum.version()) {
            versionBehind.accept(datum.dataInfoId()); // its leader must go above what was pushed, or it is never pushed
        }
        // A subscriber that holds a list equal to this version's is moved to it without a push.
        LinkedHashMap<String, long[]> hashes = PushDeltas.hashes(datum.valuesByZone());
        long fingerprint = ContentFingerprint.ofHashes(hashes);
        metrics.pushesAvoided.add(subscribers.advanceUnchanged(datum.dataInfoId(), datum.version(), fingerprint));
        DeltaBases.Base base = deltaBases.baseFor(datum.dataInfoId(), datum.version());
        List<SubscriberRegistry.PushBatch<PushTarget>> batches = subscribers.pushesNeeded(datum.dataInfoId(),
                datum.version(), base == null ? -1 : base.version());
        deltaBases.remember(datum.dataInfoId(), datum.version(), hashes, DeltaBases.chars(datum.valuesByZone()));
        if (batches.isEmpty()) {
            return;
        }
        // Shared by every push of this round: pushes only read it.
        LinkedHashMap<String, ArrayList<String>> byZone = datum.valuesByZone();
        // Computed once per round, for the batches that hold the base and take deltas; empty
        // where a full push is better (see PushDeltas).
        java.util.Optional<List<ZoneSplice>> delta = null;
        for (SubscriberRegistry.PushBatch<PushTarget> batch : batches) {
            try {
                if (deltas && batch.isDelta() && batch.connection().acceptsDeltas()) {
                    if (delta == null) {
                        delta = PushDeltas.between(base.hashes(), byZone, hashes);
                    }
                    if (delta.isPresent()) {
                        pushDelta(datum, batch, fingerprint, delta.get());
                        continue;
                    }
                }
                push(datum, byZone, batch);
            } catch (RuntimeException e) {
                // One connection's failure must not skip the pushes to the others.
                unexpected("pushing " + datum.dataInfoId() + " to " + batch.connection(), e);
                retryLater(datum.dataInfoId(), PushRetries.pushKey(datum.dataInfoId(), batch.connection()));
            }
        }
    }

    private void push(DatumValues datum, LinkedHashMap<String, ArrayList<String>> byZone,
                      SubscriberRegistry.PushBatch<PushTarget> batch) {
        PushTarget conn = batch.connection();
        DataInfoId id = datum.dataInfoId();
        String retryKey = PushRetries.pushKey(id, conn);
        if (!mayPush(datum, conn, retryKey)) {
            return;
        }
        metrics.pushesSent.increment();
        conn.push(id, datum.version(), batch.subscriberIds(), byZone, settings.ackTimeout())
                .whenComplete((ack, error) -> afterPush(datum, batch, retryKey, ack, error));
    }

    /** Only what changed since the base version the batch's subscribers hold. */
    private void pushDelta(DatumValues datum, SubscriberRegistry.PushBatch<PushTarget> batch, long fingerprint,
                           List<ZoneSplice> splices) {
        PushTarget conn = batch.connection();
        String retryKey = PushRetries.pushKey(datum.dataInfoId(), conn);
        if (!mayPush(datum, conn, retryKey)) {
            return;
        }
        metrics.pushesSent.increment();
        metrics.deltaPushes.increment();
        conn.pushDelta(datum.dataInfoId(), datum.version(), batch.subscriberIds(), batch.deltaBase(), fingerprint,
                splices, settings.ackTimeout()).whenComplete((ack, error) -> afterPush(datum, batch, retryKey, ack, error));
    }

    private void afterPush(DatumValues datum, SubscriberRegistry.PushBatch<PushTarget> batch, String retryKey,
                           Object ack, Throwable error) {
        try {
            if (error == null && ack instanceof PushAck a && a.resync()) {
                // The client does not hold the base this session thought: full list, at once.
                metrics.deltaResyncs.increment();
                subscribers.markResync(datum.dataInfoId(), batch.connection(), batch.subscriberIds());
                trigger(datum.dataInfoId());
                return;
            }
            onPushed(datum, batch, retryKey, error);
        } catch (RuntimeException e) {
            unexpected("handling the ack of " + datum.dataInfoId() + " v" + datum.version() + " from "
                    + batch.connection(), e);
            retryLater(datum.dataInfoId(), retryKey);
        }
    }

    /** The connection can take a push now: active, reading, writable; else false (closed or retried). */
    private boolean mayPush(DatumValues datum, PushTarget conn, String retryKey) {
        DataInfoId id = datum.dataInfoId();
        if (!conn.isActive()) {
            return false; // its subscribers are being removed
        }
        long pending = conn.pendingOutboundBytes();
        if (pending > settings.maxPendingBytes()) {
            metrics.slowClientsCut.increment();
            log.warn("disconnecting {}: {} bytes of pushes unread (limit {}); the client does not read", conn,
                    pending, settings.maxPendingBytes());
            conn.close();
            return false;
        }
        if (!conn.isWritable()) {
            metrics.pushesFailed.increment();
            retryLater(id, retryKey); // try again once its buffer drained
            return false;
        }
        return true;
    }

    private void onPushed(DatumValues datum, SubscriberRegistry.PushBatch<PushTarget> batch, String retryKey,
                          Throwable error) {
        PushTarget conn = batch.connection();
        DataInfoId id = datum.dataInfoId();
        if (error == null) {
            metrics.pushesAcked.increment();
            subscribers.markPushed(id, conn, batch.subscriberIds(), datum.version());
            retries.succeeded(retryKey);
            if (datum.changedAtMillis() > 0) {
                metrics.latency.record(clock.millis() - datum.changedAtMillis());
            }
            return;
        }
        metrics.pushesFailed.increment();
        // Routine (a client gone or slow to ack): counted, retried, and WARNed only when given up.
        log.debug("push of {} v{} to {} failed: {}", id, datum.version(), conn, error.getMessage());
        if (conn.isActive()) {
            retryLater(id, retryKey);
        }
    }

    /** Ids per version check of a slot at most (a few hundred KB on the wire). */
    static final int VERSIONS_BATCH = 4096;

    /**
     * Heals lost notices and failed pushes: asks each slot leader for the versions of the ids
     * subscribed here and starts a round for every id with a subscriber behind. Also covers
     * subscribers never pushed at all.
     */
    public void reconcile() {
        fetchFailures.flush();
        Map<Integer, ArrayList<DataInfoId>> bySlot = new HashMap<>();
        for (DataInfoId id : subscribers.subscribedIds()) {
            bySlot.computeIfAbsent(SlotHash.slotOf(id, slotCount), s -> new ArrayList<>()).add(id);
        }
        synchronized (this) {
            announced.keySet().retainAll(subscribers.subscribedIds());
            windows.evictIdle(clock.millis());
        }
        for (Map.Entry<Integer, ArrayList<DataInfoId>> e : bySlot.entrySet()) {
            // In batches: one client subscribed to 100k ids of a slot must not make the slot's
            // request too large to send, and so leave every other subscriber of it unchecked.
            ArrayList<DataInfoId> all = e.getValue();
            for (int from = 0; from < all.size(); from += VERSIONS_BATCH) {
                ArrayList<DataInfoId> ids = new ArrayList<>(all.subList(from, Math.min(all.size(), from + VERSIONS_BATCH)));
                int slot = e.getKey();
                links.callLeader(slot, epoch -> new DatumVersionsRequest(epoch, slot, ids),
                        DatumVersions.class, Duration.ofSeconds(5)).whenComplete((versions, error) -> {
                            try {
                                for (int i = 0; i < ids.size(); i++) {
                                    DataInfoId id = ids.get(i);
                                    long v = error == null ? versions.versions().get(i) : 0;
                                    if (subscribers.anyBehind(id, v)) {
                                        trigger(id);
                                    }
                                }
                            } catch (RuntimeException ex) {
                                // The next reconciliation checks the rest of the batch again.
                                unexpected("reconciling the subscribers of slot " + slot, ex);
                            }
                        });
            }
        }
    }

    /** Stops (true) or resumes (false) all pushes; resuming re-checks every subscribed id. */
    public void setPaused(boolean pause) {
        this.paused = pause;
        if (!pause) {
            for (DataInfoId id : subscribers.subscribedIds()) {
                trigger(id);
            }
        }
    }

    public boolean isPaused() {
        return paused;
    }

    public long rounds() {
        return metrics.rounds.sum();
    }

    public long pushesSent() {
        return metrics.pushesSent.sum();
    }

    public long pushesAcked() {
        return metrics.pushesAcked.sum();
    }

    /** Subscribers moved to a newer version without a push, because their list would not change. */
    public long pushesAvoided() {
        return metrics.pushesAvoided.sum();
    }

    public long slowClientsCut() {
        return metrics.slowClientsCut.sum();
    }

    /** Turns delta pushes on or off (see {@link #deltas}); for tests and operators' experiments. */
    public void setDeltas(boolean on) {
        deltas = on;
    }

    public long deltaPushes() {
        return metrics.deltaPushes.sum();
    }

    public long deltaResyncs() {
        return metrics.deltaResyncs.sum();
    }

    /** Unexpected exceptions (bugs) on the push path; each was logged at WARN with its stack trace. */
    public long unexpectedFailures() {
        return metrics.unexpectedFailures.sum();
    }

    public void appendPrometheus(StringBuilder out) {
        int queueKeys;
        synchronized (this) {
            queueKeys = windows.trackedKeys();
        }
        metrics.appendPrometheus(out, deltaBases.keptValues(), queueKeys);
    }
}
