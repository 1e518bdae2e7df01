package dev.registry.session.publish;

import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.RemovePublisherRequest;
import dev.registry.common.protocol.WritePublisherRequest;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotHash;
import dev.registry.session.link.LeaderCalls;
import dev.registry.session.store.PublisherKey;
import dev.registry.session.store.SessionPublisherStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Makes the slot leader hold what this session holds, one publisher key at a time.
 *
 * <p>Rather than forwarding each client operation (which could overtake one another on
 * retry), each key converges to its <em>current desired state</em> in the session store: a
 * held publisher is written, a removed one is deleted. At most one data call per key is in
 * flight; changes arriving meanwhile mark the key dirty and it runs again. A future from
 * {@link #sync} completes once the leader reflects the state as of that call.
 *
 * <p>A key that cannot be synced before the retry deadline is retried in the background
 * every {@code backgroundRetry} until it converges, so a registration acknowledged late is
 * still never lost.
 *
 * <p>An unexpected exception while syncing a key (a bug, not a failed data call) is logged at
 * WARN with its stack trace and counted; the key's waiters fail with {@code SERVER_ERROR} and
 * the key stops running, so the next sync of it (a client's retry, the slot reconciler) starts
 * over instead of merging into a run that never ends.
 *
 * <p>Threading: key state is guarded by {@code this}; data calls run without the lock.
 */
public final class PublisherSyncer {
    private static final Logger log = LoggerFactory.getLogger(PublisherSyncer.class);

    private final SessionPublisherStore store;
    private final LeaderCalls links;
    private final int slotCount;
    private final ScheduledExecutorService scheduler;
    private final Duration callDeadline;
    private final Duration backgroundRetry;
    private final Map<PublisherKey, KeyState> states = new HashMap<>();
    /** A leader that stops answering fails every key of its slots at once: one WARN line per window. */
    private final dev.registry.common.log.WarnSummary notSynced =
            new dev.registry.common.log.WarnSummary(log, "publisher not synced to its slot leader yet", 5_000,
                    System::currentTimeMillis);
    private final LongAdder unexpectedFailures = new LongAdder();
    private volatile boolean stopped;

    public PublisherSyncer(SessionPublisherStore store, LeaderCalls links, int slotCount,
                           ScheduledExecutorService scheduler, Duration callDeadline, Duration backgroundRetry) {
        this.store = store;
        this.links = links;
        this.slotCount = slotCount;
        this.scheduler = scheduler;
        this.callDeadline = callDeadline;
        this.backgroundRetry = backgroundRetry;
    }

    /** Syncs the key to whatever the store holds now; completes with the datum version. */
    public CompletableFuture<Long> sync(PublisherKey key) {
        return enqueue(key, null, false);
    }

    /** Syncs the removal of a publisher that was just taken out of the store. */
    public CompletableFuture<Long> syncRemoval(Publisher removed) {
        return enqueue(new PublisherKey(removed.dataInfoId(), removed.registerId()), removed, false);
    }

    /**
     * Asks the slot leader to remove a registration a client unregistered here without this
     * session holding it ({@link RemovePublisherRequest#leftBehind}); {@code appName}: the
     * client's authenticated app, or null with authentication off.
     */
    public CompletableFuture<Long> syncLeftBehindRemoval(PublisherKey key, String appName) {
        // A stand-in: only the key and the app of what a gone session left behind are known here.
        return enqueue(key, new Publisher(key.dataInfoId(), key.registerId(), 0, List.of(), appName, null, null, 0,
                null, null), true);
    }

    private CompletableFuture<Long> enqueue(PublisherKey key, Publisher removed, boolean leftBehind) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            KeyState state = states.computeIfAbsent(key, k -> new KeyState());
            if (removed != null) {
                state.removed = removed;
                state.removedLeftBehind = leftBehind;
            }
            if (state.running) {
                state.dirty = true;
                if (state.nextWaiters == null) {
                    state.nextWaiters = new ArrayList<>(2);
                }
                state.nextWaiters.add(done);
                start = false;
            } else {
                state.running = true;
                state.waiters.add(done);
                start = true;
            }
        }
        if (start) {
            run(key);
        }
        return done;
    }

    private void run(PublisherKey key) {
        Publisher desired;
        Publisher removed;
        boolean leftBehind;
        CompletableFuture<WriteResult> call;
        try {
            desired = store.desired(key);
            synchronized (this) {
                KeyState state = states.get(key);
                removed = state.removed;
                leftBehind = state.removedLeftBehind;
            }
            int slot = SlotHash.slotOf(key.dataInfoId(), slotCount);
            if (desired != null) {
                call = links.callLeader(slot, epoch -> new WritePublisherRequest(epoch, slot, desired),
                        WriteResult.class, callDeadline);
            } else if (removed != null && leftBehind) {
                call = links.callLeader(slot, epoch -> RemovePublisherRequest.leftBehind(epoch, slot, key.dataInfoId(),
                        key.registerId(), removed.appName()), WriteResult.class, callDeadline);
            } else if (removed != null) {
                call = links.callLeader(slot, epoch -> new RemovePublisherRequest(epoch, slot, key.dataInfoId(),
                        key.registerId(), removed.connectionId()), WriteResult.class, callDeadline);
            } else {
                call = CompletableFuture.completedFuture(new WriteResult(0, false));
            }
        } catch (RuntimeException e) {
            failedUnexpectedly(key, e, List.of());
            return;
        }
        Publisher removalSent = desired == null ? removed : null;
        call.whenComplete((result, error) -> finish(key, desired, removalSent, result, error));
    }

    /** Completes the waiters of a finished call, then runs the key again, retries it or forgets it. */
    private void finish(PublisherKey key, Publisher written, Publisher removalSent, WriteResult result,
                        Throwable error) {
        List<CompletableFuture<Long>> toComplete = List.of();
        try {
            if (error == null && result == null) {
                throw new IllegalStateException("the slot leader answered with nothing");
            }
            boolean again;
            synchronized (this) {
                KeyState state = states.get(key);
                toComplete = state.waiters;
                if (error == null && written == null && state.removed == removalSent) {
                    // The removal is done, unless another was queued meanwhile (a reconciler's removal
                    // of a stale copy on a new slot leader): that one runs next.
                    state.removed = null;
                }
                if (state.dirty) {
                    state.dirty = false;
                    state.waiters = state.nextWaiters;
                    state.nextWaiters = null;
                    again = true;
                } else if (error != null) {
                    state.waiters = new ArrayList<>();
                    again = false;
                } else {
                    states.remove(key);
                    again = false;
                }
            }
            RpcException rpc = error == null ? null : RpcException.unwrap(error);
            boolean hopeless = rpc != null && (rpc.code() == ErrorCode.BAD_REQUEST
                    || rpc.code() == ErrorCode.CLASS_NOT_ALLOWED
                    || rpc.code() == ErrorCode.NO_HANDLER
                    || rpc.code() == ErrorCode.FORBIDDEN);
            boolean forbidden = rpc != null && rpc.code() == ErrorCode.FORBIDDEN;
            if (forbidden && written != null) {
                // Another app's registerId: this registration is not kept (nor re-sent by the reconciler).
                // Dropped before the caller hears the refusal, so nobody sees it kept after the answer.
                store.remove(key, written.connectionId());
                log.warn("publisher {} refused by its slot leader: {}; dropped", key, rpc.getMessage());
            }
            for (CompletableFuture<Long> f : toComplete) {
                if (error == null) {
                    f.complete(result.datumVersion());
                } else {
                    f.completeExceptionally(error);
                }
            }
            if (hopeless && !again) {
                if (!forbidden) {
                    log.error("publisher {} refused by its slot leader: {}; not retrying", key, rpc.getMessage());
                }
                synchronized (this) {
                    states.remove(key);
                }
            } else if (again) {
                run(key);
            } else if (error != null && !stopped) {
                notSynced.warn(key, error.getMessage() + "; retrying in the background");
                try {
                    scheduler.schedule(() -> run(key), backgroundRetry.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    log.debug("not retrying {}: session stopping", key);
                }
            }
        } catch (RuntimeException e) {
            failedUnexpectedly(key, e, toComplete);
        }
    }

    /**
     * A bug while syncing {@code key}: logged and counted once, and never left stuck. Its waiters
     * (and {@code taken}, already removed from the key's state) fail with SERVER_ERROR; the key
     * stops running, so its next sync starts over. A removal still to be synced is kept for it.
     */
    private void failedUnexpectedly(PublisherKey key, RuntimeException e, List<CompletableFuture<Long>> taken) {
        unexpectedFailures.increment();
        log.warn("sync of publisher {} failed unexpectedly; its next sync starts over", key, e);
        List<CompletableFuture<Long>> toFail = new ArrayList<>(taken);
        synchronized (this) {
            KeyState state = states.get(key);
            if (state != null) {
                toFail.addAll(state.waiters);
                if (state.nextWaiters != null) {
                    toFail.addAll(state.nextWaiters);
                }
                if (state.removed == null) {
                    states.remove(key);
                } else {
                    state.running = false;
                    state.dirty = false;
                    state.waiters = new ArrayList<>(1);
                    state.nextWaiters = null;
                }
            }
        }
        RpcException failure = new RpcException(ErrorCode.SERVER_ERROR,
                "sync of publisher " + key + " failed on the session: " + e);
        for (CompletableFuture<Long> f : toFail) {
            f.completeExceptionally(failure);
        }
    }

    /** Stops background retries (session shutdown). */
    public void stop() {
        stopped = true;
    }

    /** Unexpected exceptions (bugs) while syncing; each was logged at WARN with its stack trace. */
    public long unexpectedFailures() {
        return unexpectedFailures.sum();
    }

    /** Keys with a sync in flight, waiting for a background retry, or holding a removal for their next sync. */
    public synchronized int pendingKeys() {
        return states.size();
    }

    private static final class KeyState {
        boolean running;
        boolean dirty;
        Publisher removed;
        /** {@link #removed} is a stand-in for what a gone session left behind ({@link #syncLeftBehindRemoval}). */
        boolean removedLeftBehind;
        List<CompletableFuture<Long>> waiters = new ArrayList<>(1);
        /** Waiters of syncs merged into the run in flight; null until one is (most keys never have one). */
        List<CompletableFuture<Long>> nextWaiters;
    }
}
