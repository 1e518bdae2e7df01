package dev.registry.meta.lease;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs one node's candidacy: asks the lease store every renew interval (renewing when leader,
 * trying to acquire when follower), checks the leadership deadline between answers, and tells
 * the listener when this node becomes or stops being leader. The rules live in
 * {@link LeaderLease} and {@link LeaseRules}; this class only adds the threads.
 *
 * <p>Threading: one thread asks the store (it may block up to the store's timeout), one checks
 * deadlines; the lease state is guarded by {@code this}, and listener calls are made under it,
 * in order.
 */
public final class LeaderElection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    /** Told about leadership changes, under the election's lock and in order: must not block. */
    public interface Listener {
        void onElected(long term);

        void onDeposed(long term, String reason);
    }

    private final String candidateId;
    private final String address;
    private final LeaseStore store;
    private final LeaseSettings settings;
    private final LongSupplier nanoTicker;
    private final Listener listener;
    private final LeaderLease lease;
    private ScheduledExecutorService asker;
    private ScheduledExecutorService checker;
    private int failuresInARow;
    private boolean closing;
    private volatile String lastError;

    /**
     * @param candidateId unique per process start (a restarted node is a new candidate)
     * @param address     this node's meta RPC address, which followers redirect members to
     * @param nanoTicker  monotonic clock, e.g. {@code System::nanoTime}
     */
    public LeaderElection(String candidateId, String address, LeaseStore store, LeaseSettings settings,
                          LongSupplier nanoTicker, Listener listener) {
        this.candidateId = candidateId;
        this.address = address;
        this.store = store;
        this.settings = settings;
        this.nanoTicker = nanoTicker;
        this.listener = listener;
        this.lease = new LeaderLease(candidateId, settings);
    }

    public LeaderElection start() {
        asker = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meta-lease", true));
        checker = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meta-lease-check", true));
        long renew = settings.renewInterval().toMillis();
        askQuietly(); // a free lease is taken before start() returns
        asker.scheduleWithFixedDelay(this::askQuietly, renew, renew, TimeUnit.MILLISECONDS);
        long check = Math.max(10, Math.min(100, renew / 4));
        checker.scheduleWithFixedDelay(this::check, check, check, TimeUnit.MILLISECONDS);
        return this;
    }

    private void askQuietly() {
        try {
            ask();
        } catch (RuntimeException e) {
            log.error("lease round failed unexpectedly", e);
        }
    }

    /** One round: acquire or renew, then apply the answer. */
    void ask() {
        long askedAt = nanoTicker.getAsLong();
        LeaseRecord answer;
        try {
            answer = store.acquireOrRenew(candidateId, address, settings.leaseDuration());
        } catch (RuntimeException e) {
            synchronized (this) {
                lastError = e.getMessage();
                if (failuresInARow++ == 0 || lease.term() != 0) {
                    log.warn("cannot reach the lease store ({} in a row): {}", failuresInARow, e.getMessage());
                }
                apply(lease.onFailure(nanoTicker.getAsLong()));
            }
            return;
        }
        synchronized (this) {
            if (failuresInARow > 0) {
                log.info("lease store reachable again after {} failed rounds", failuresInARow);
            }
            failuresInARow = 0;
            lastError = null;
            apply(lease.onAnswer(answer, askedAt, nanoTicker.getAsLong()));
        }
    }

    /** Ends the leadership when its deadline passed. */
    synchronized void check() {
        apply(lease.check(nanoTicker.getAsLong()));
    }

    /** A store write in this node's term was refused: stop leading now. */
    public synchronized void onLeaseLost(String reason) {
        apply(lease.onLeaseLost(reason));
    }

    /**
     * Moves this node's lease to a term above {@code aboveTerm} (members hold tables from a term
     * this database never issued). Blocks on the store.
     *
     * @return the new term
     * @throws LeaseLostException if this node does not lead in {@code term} any more
     */
    public long raiseTerm(long term, long aboveTerm) {
        long raised = store.raiseTerm(candidateId, term, aboveTerm);
        synchronized (this) {
            lease.onTermRaised(term, raised);
        }
        log.warn("raised the meta leader term from {} to {} (members held term {})", term, raised, aboveTerm);
        return raised;
    }

    /** Gives leadership up (e.g. this node is misconfigured): releases the lease and stops leading. */
    public void resign(String reason) {
        synchronized (this) {
            apply(lease.onLeaseLost("resigned: " + reason));
        }
        releaseQuietly();
    }

    private void apply(LeaderLease.Change change) {
        switch (change.kind()) {
            case ELECTED -> {
                log.info("meta {} acquired the leader lease: term {}", address, change.term());
                listener.onElected(change.term());
            }
            case DEPOSED -> {
                if (closing) {
                    log.info("meta {} stops leading term {}: shutting down", address, change.term());
                } else {
                    log.warn("meta {} stops acting as leader of term {}: {}", address, change.term(), change.reason());
                }
                listener.onDeposed(change.term(), change.reason());
            }
            case NONE -> {
            }
        }
    }

    public synchronized boolean isLeader() {
        return lease.isLeader(nanoTicker.getAsLong());
    }

    /** True while this node leads in exactly {@code term}. */
    public synchronized boolean isLeaderOf(long term) {
        return term != 0 && lease.term() == term && lease.isLeader(nanoTicker.getAsLong());
    }

    /** The term this node leads in, or 0. */
    public synchronized long term() {
        return lease.term();
    }

    /** Milliseconds of leadership left before this node must stop (0 when not leader). */
    public synchronized long remainingMillis() {
        return TimeUnit.NANOSECONDS.toMillis(lease.remainingNanos(nanoTicker.getAsLong()));
    }

    /** The lease row as last read: who leads and in which term (possibly stale, possibly expired). */
    public synchronized LeaseRecord lastSeen() {
        return lease.lastSeen();
    }

    /** The last error talking to the store, or null after a success. */
    public String lastError() {
        return lastError;
    }

    public String candidateId() {
        return candidateId;
    }

    public String address() {
        return address;
    }

    /** Stops asking; a leader releases the lease so a follower takes over within one renew interval. */
    @Override
    public void close() {
        if (checker != null) {
            checker.shutdownNow();
        }
        if (asker != null) {
            // No interrupt: an interrupted JDBC call can close an embedded database's file. Wait
            // for the round in flight, so it cannot take the lease again after the release.
            asker.shutdown();
            try {
                if (!asker.awaitTermination(settings.leaseDuration().toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("a lease round is still running; stopping without waiting for it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean wasLeader;
        synchronized (this) {
            closing = true;
            wasLeader = lease.term() != 0;
            apply(lease.onLeaseLost("shutting down"));
        }
        if (wasLeader) {
            releaseQuietly();
        }
    }

    private void releaseQuietly() {
        try {
            store.release(candidateId);
        } catch (RuntimeException e) {
            log.warn("could not release the leader lease; followers take over when it expires: {}", e.getMessage());
        }
    }
}
