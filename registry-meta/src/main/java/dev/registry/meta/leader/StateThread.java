package dev.registry.meta.leader;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The single {@code meta-state} thread. Database writes and table changes run on it one at a
 * time, so tables are saved and pushed in the order they were computed, and never under the
 * leader's lock. Once stopped, new tasks and queued retries are dropped.
 */
public final class StateThread {
    private static final Logger log = LoggerFactory.getLogger(StateThread.class);

    private final ScheduledThreadPoolExecutor executor;
    private final long retryMillis;

    /** @param retryDelay how long {@link #retryLater} waits (the lease renew interval) */
    public StateThread(Duration retryDelay) {
        this.executor = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("meta-state", true));
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // retries die with the server
        this.retryMillis = retryDelay.toMillis();
    }

    /** Runs {@code task} on the state thread soon; a failure is logged and the thread goes on. */
    public void run(Runnable task) {
        try {
            executor.execute(logged(task));
        } catch (RejectedExecutionException e) {
            log.debug("meta stopping: task dropped");
        }
    }

    /** Runs {@code task} on the state thread after the retry delay; a failure is logged as for {@link #run}. */
    public void retryLater(Runnable task) {
        try {
            executor.schedule(logged(task), retryMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("meta stopping: retry dropped");
        }
    }

    /**
     * Runs {@code task} every {@code period}, the first time after one period. A failure is logged
     * and the next period runs it again (an exception escaping a fixed-delay task would cancel it
     * silently).
     */
    public void every(Duration period, Runnable task) {
        executor.scheduleWithFixedDelay(logged(task), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The task, with an unexpected failure logged (a scheduled future would keep it unseen). */
    private static Runnable logged(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("meta state task failed", e);
            }
        };
    }

    /**
     * Takes no more tasks and waits up to {@code grace} for the queued ones. No interrupt: an
     * interrupted JDBC call can close an embedded database's file.
     */
    public void stop(Duration grace) {
        executor.shutdown();
        try {
            executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
