package dev.registry.sim;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A node's scheduler in the simulation: what the real cores schedule (retries, timers) becomes
 * an event of the {@link SimLoop}. A task of a node that crashed is dropped; one that falls due
 * while the node is paused runs when the pause ends (checked every 10 ms of simulated time).
 * Only one-shot {@code schedule} and {@code execute} are offered: the cores under simulation
 * use nothing else, and periodic work is the simulated node's own.
 */
final class SimScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final SimLoop loop;
    private final BooleanSupplier alive;
    private final BooleanSupplier running;
    private boolean shutdown;

    /** @param alive false once the node crashed; @param running false while it is paused */
    SimScheduler(SimLoop loop, BooleanSupplier alive, BooleanSupplier running) {
        this.loop = loop;
        this.alive = alive;
        this.running = running;
    }

    private final class Task<V> extends CompletableFuture<V> implements ScheduledFuture<V> {
        private final long atMicros;

        Task(long atMicros) {
            this.atMicros = atMicros;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(atMicros - loop.nowMicros(), TimeUnit.MICROSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.MICROSECONDS), o.getDelay(TimeUnit.MICROSECONDS));
        }
    }

    private <V> Task<V> at(long delayMicros, Callable<V> work) {
        Task<V> task = new Task<>(loop.nowMicros() + Math.max(0, delayMicros));
        loop.after(delayMicros, new Runnable() {
            @Override
            public void run() {
                if (task.isDone() || shutdown || !alive.getAsBoolean()) {
                    return;
                }
                if (!running.getAsBoolean()) {
                    loop.afterMillis(10, this);
                    return;
                }
                try {
                    task.complete(work.call());
                } catch (Exception e) {
                    task.completeExceptionally(e);
                }
            }
        });
        return task;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return at(unit.toMicros(delay), () -> {
            command.run();
            return null;
        });
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return at(unit.toMicros(delay), callable);
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.MICROSECONDS);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic work is the simulated node's own");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic work is the simulated node's own");
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }
}
