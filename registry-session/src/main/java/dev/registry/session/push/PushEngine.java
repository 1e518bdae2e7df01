package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.slot.SlotHash;
import dev.registry.session.link.DataServerLinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Brings subscribers up to date: on a change notice (or a new subscriber) it fetches the datum
 * from the slot leader and pushes it to every subscriber that has an older version.
 *
 * <p>Leading edge, then merge: a change to a quiet DataInfoId is fetched and pushed at once;
 * changes that arrive while that fetch/push is in flight collapse into one more round with
 * the latest datum. So a storm of N changes costs about two pushes, not N, and no change
 * waits for a fixed delay.
 *
 * <p>Threading: per-id round state guarded by {@code this}; I/O runs without the lock.
 */
public final class PushEngine {
    private static final Logger log = LoggerFactory.getLogger(PushEngine.class);

    private final SubscriberRegistry subscribers;
    private final DataServerLinks links;
    private final int slotCount;
    private final Duration fetchDeadline;
    private final Duration pushTimeout;
    private final Map<DataInfoId, Round> rounds = new HashMap<>();
    /** Highest version a data server announced per id, to find subscribers left behind. */
    private final Map<DataInfoId, Long> announced = new HashMap<>();
    private final LongAdder pushesSent = new LongAdder();
    private final LongAdder pushesAcked = new LongAdder();
    private final LongAdder pushesFailed = new LongAdder();
    private volatile boolean paused;

    public PushEngine(SubscriberRegistry subscribers, DataServerLinks links, int slotCount, Duration fetchDeadline,
                      Duration pushTimeout) {
        this.subscribers = subscribers;
        this.links = links;
        this.slotCount = slotCount;
        this.fetchDeadline = fetchDeadline;
        this.pushTimeout = pushTimeout;
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

    /** Starts (or merges into) a fetch-and-push round for the id. */
    public void trigger(DataInfoId id) {
        synchronized (this) {
            Round round = rounds.get(id);
            if (round != null) {
                round.again = true;
                return;
            }
            rounds.put(id, new Round());
        }
        runRound(id);
    }

    /**
     * Re-triggers every id with a subscriber behind the newest announced version, or never
     * pushed at all: heals a lost notice or a failed push.
     */
    public void reconcile() {
        Map<DataInfoId, Long> snapshot;
        synchronized (this) {
            announced.keySet().retainAll(subscribers.subscribedIds());
            snapshot = new HashMap<>(announced);
        }
        for (DataInfoId id : subscribers.subscribedIds()) {
            if (subscribers.anyBehind(id, snapshot.getOrDefault(id, 0L))) {
                trigger(id);
            }
        }
    }

    private void runRound(DataInfoId id) {
        if (paused || !subscribers.hasSubscribers(id)) {
            endRound(id);
            return;
        }
        int slot = SlotHash.slotOf(id, slotCount);
        links.callLeader(slot, epoch -> new FetchDatumRequest(epoch, id), Datum.class, fetchDeadline)
                .thenCompose(this::pushToAll)
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        log.warn("cannot bring subscribers of {} up to date: {}", id, error.getMessage());
                    }
                    endRound(id);
                });
    }

    private void endRound(DataInfoId id) {
        boolean again;
        synchronized (this) {
            Round round = rounds.get(id);
            again = round != null && round.again && !paused;
            if (again) {
                round.again = false;
            } else {
                rounds.remove(id);
            }
        }
        if (again) {
            runRound(id);
        }
    }

    private CompletableFuture<Void> pushToAll(Datum datum) {
        synchronized (this) {
            announced.merge(datum.dataInfoId(), datum.version(), Math::max);
        }
        List<SubscriberRegistry.PushBatch> batches = subscribers.pushesNeeded(datum.dataInfoId(), datum.version());
        if (batches.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        LinkedHashMap<String, ArrayList<String>> byZone = new LinkedHashMap<>();
        datum.valuesByZone().forEach((zone, values) -> byZone.put(zone, new ArrayList<>(values)));
        List<CompletableFuture<?>> pushes = new ArrayList<>();
        for (SubscriberRegistry.PushBatch batch : batches) {
            PushRequest push = new PushRequest(datum.dataInfoId(), datum.version(),
                    new ArrayList<>(batch.subscriberIds()), byZone);
            pushesSent.increment();
            pushes.add(batch.connection().call(push, PushAck.class, pushTimeout).handle((ack, error) -> {
                if (error == null) {
                    pushesAcked.increment();
                    subscribers.markPushed(datum.dataInfoId(), batch.connection(), batch.subscriberIds(), datum.version());
                } else {
                    pushesFailed.increment();
                    log.debug("push of {} v{} to {} failed: {}", datum.dataInfoId(), datum.version(),
                            batch.connection(), error.getMessage());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(pushes.toArray(new CompletableFuture<?>[0]));
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

    public long pushesSent() {
        return pushesSent.sum();
    }

    public long pushesAcked() {
        return pushesAcked.sum();
    }

    public long pushesFailed() {
        return pushesFailed.sum();
    }

    private static final class Round {
        boolean again;
    }
}
