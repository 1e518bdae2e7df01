package dev.registry.common.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Gathers what callers hand over for one connection while its I/O thread is busy, and hands it
 * on in batches of at most {@code maxBatch} when that thread gets to it: one drain task per
 * burst instead of one hand-over per item. A lone item makes a batch of one. Order is kept:
 * items leave in the order they were added, and the drain that takes an item was handed to the
 * I/O thread before any write issued after the item was added.
 *
 * <p>Used for the client's publishes ({@code PublishBatcher}) and a session's writes to a slot
 * leader ({@code LeaderWriteBatcher}). Thread-safe.
 *
 * @param <T> what is queued
 */
public final class IoThreadBatches<T> {
    private final Executor ioThread;
    private final int maxBatch;
    private final Consumer<List<T>> send;
    private final Consumer<T> refuse;
    private final Queue<T> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /**
     * @param send   called on the I/O thread with each batch, in order
     * @param refuse called with each queued item when the I/O thread takes no more work (connection closed)
     */
    public IoThreadBatches(Executor ioThread, int maxBatch, Consumer<List<T>> send, Consumer<T> refuse) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.ioThread = ioThread;
        this.maxBatch = maxBatch;
        this.send = send;
        this.refuse = refuse;
    }

    public void add(T item) {
        outbox.add(item);
        // Cleared by the drain before it polls: whatever is added after that point schedules another.
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                ioThread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false);
                for (T queued; (queued = outbox.poll()) != null; ) {
                    refuse.accept(queued);
                }
            }
        }
    }

    private void drain() {
        drainScheduled.set(false);
        List<T> batch = new ArrayList<>();
        for (T item; (item = outbox.poll()) != null; ) {
            batch.add(item);
            if (batch.size() == maxBatch) {
                send.accept(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            send.accept(batch);
        }
    }
}
