package dev.registry.server.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The loop of one seeded chaos scenario, whatever the cluster: a workload thread runs client
 * operations while this thread injects one fault at a time, drawn by the seed from a shuffled
 * deck of every fault kind (so a scenario that goes through the deck once covers every kind),
 * undoes each fault after the next one, checks the invariants as it goes, then stops the
 * faults and checks convergence.
 */
abstract class ChaosScenario implements AutoCloseable {
    /**
     * Longest blackhole of a link: the longest pause between faults (6 s), well inside the client
     * idle timeout plus the session grace (a longer partition may drop publishers by design).
     */
    static final Duration MAX_BLACKHOLE = Duration.ofSeconds(6);

    final InvariantChecker checker;
    final Random random;
    Workload workload;
    private final List<String> deck = new ArrayList<>();
    /** Every fault kind this cluster can inject. */
    private final List<String> kinds;
    /** How long the cluster may take to converge once faults stop. */
    private final Duration settleBound;
    /** Ends blackholes on time; daemon, stopped by {@link #stopLinkFaults()}. */
    private final ScheduledExecutorService linkFaultTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chaos-link-fault-timer");
        t.setDaemon(true);
        return t;
    });

    ChaosScenario(long seed, List<String> kinds, Duration deadBound, Duration pushBound, Duration settleBound) {
        this.checker = new InvariantChecker(seed, deadBound, pushBound);
        this.random = new Random(seed);
        this.kinds = List.copyOf(kinds);
        this.settleBound = settleBound;
    }

    /** Injects one fault of {@code kind}; returns what undoes it (run after the next fault), or null. */
    abstract Runnable inject(String kind) throws Exception;

    /** Ends every lasting fault (silent links, delays, paused nodes) before settling. */
    abstract void healAll() throws Exception;

    /**
     * A link fault on {@code proxy}, by the start of {@code kind}: "reset" resets every connection
     * through it; "blackhole" lets nothing pass either way (not even a close) until the next fault
     * is injected or {@link #MAX_BLACKHOLE} passed, whichever comes first, since a slow next fault
     * (a drain waiting on the blackholed link) must not stretch a short partition; "delay" holds
     * each chunk 20-220 ms until the next fault. Returns the undo, or null.
     */
    Runnable linkFault(String kind, FaultyProxy proxy) {
        long delay = kind.startsWith("delay") ? 20 + random.nextInt(200) : 0;
        checker.count(kind);
        checker.log(kind + " via proxy :" + proxy.port() + " (" + proxy.connections() + " connections)"
                + (delay > 0 ? ": " + delay + " ms per chunk" : ""));
        // The churn clients reach their sessions through the client links: cut, they look gone for a moment.
        long[] churnExcuse = kind.endsWith("client links") ? checker.excuseChurn(kind) : null;
        Runnable endExcuse = () -> {
            if (churnExcuse != null) {
                checker.endChurnExcuse(churnExcuse);
            }
        };
        if (kind.startsWith("reset")) {
            proxy.resetAll();
            endExcuse.run();
            return null;
        }
        if (kind.startsWith("blackhole")) {
            proxy.setBlackhole(true);
            AtomicBoolean over = new AtomicBoolean();
            Runnable end = () -> {
                if (over.compareAndSet(false, true)) {
                    proxy.setBlackhole(false);
                    checker.restartDeadClocks(); // deaths behind the silent link could not be seen until now
                    endExcuse.run();
                    checker.log("blackhole over on :" + proxy.port());
                }
            };
            linkFaultTimer.schedule(end, MAX_BLACKHOLE.toMillis(), TimeUnit.MILLISECONDS);
            return end;
        }
        if (delay > 0) {
            proxy.setDelayMillis(delay);
            return () -> {
                proxy.setDelayMillis(0);
                endExcuse.run();
            };
        }
        throw new IllegalArgumentException(kind);
    }

    /** Runs {@code action} on the link-fault timer after {@code millis} (ends a fault on time). */
    void later(Runnable action, long millis) {
        linkFaultTimer.schedule(action, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the blackhole timer; subclasses call it when they close. */
    void stopLinkFaults() {
        linkFaultTimer.shutdownNow();
    }

    /** Milliseconds between faults: 1.5 to 3 s. */
    long pauseBetweenFaultsMillis() {
        return 1500 + random.nextInt(1500);
    }

    private String nextKind() {
        if (deck.isEmpty()) {
            deck.addAll(kinds);
            Collections.shuffle(deck, random);
        }
        return deck.remove(deck.size() - 1);
    }

    /**
     * Runs workload and faults for at least {@code duration} (and, if {@code everyKind}, until
     * every fault kind was executed once, or drawn four times over without its precondition
     * holding), then checks convergence and the floors: at least one acknowledged workload
     * operation per second of the run, a push per subscriber plus one per such operation, and
     * (if {@code everyKind}) every kind executed.
     */
    void run(Duration duration, boolean everyKind) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Random workloadRandom = new Random(checker.seed() * 31 + 7);
        Thread load = new Thread(() -> {
            while (running.get()) {
                try {
                    workload.step(workloadRandom);
                } catch (RuntimeException e) {
                    checker.log("workload op failed (allowed under faults): " + e.getMessage());
                }
                LockSupport.parkNanos(40_000_000); // pacing of the generated load
            }
        }, "chaos-workload");
        load.start();
        long started = System.nanoTime();
        long end = started + duration.toNanos();
        int drawn = 0;
        int kindCount = kinds.size();
        Runnable pendingRepair = null;
        try {
            while (System.nanoTime() < end || (everyKind && !everyKindExecuted() && drawn < 4 * kindCount)) {
                String kind = nextKind();
                drawn++;
                Runnable repair = inject(kind);
                LockSupport.parkNanos(pauseBetweenFaultsMillis() * 1_000_000L);
                checker.checkContinuously();
                if (pendingRepair != null) {
                    pendingRepair.run();
                }
                pendingRepair = repair;
            }
            if (pendingRepair != null) {
                pendingRepair.run();
            }
        } finally {
            running.set(false);
            load.join(15_000);
        }
        healAll();
        checker.restartDeadClocks();
        checker.log("faults stopped; settling");
        checker.checkConverged(workload::expected, settleBound);
        checker.checkContinuously();
        checker.checkVersions(workload.clients());
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        checker.checkFloors(seconds, workload.subscriberCount() + seconds, everyKind ? kinds : List.of());
        checker.log("workload: " + checker.operationsDone() + " operations acknowledged, " + checker.operationsFailed()
                + " failed; convergence " + checker.convergenceSummary());
    }

    private boolean everyKindExecuted() {
        return checker.faults().keySet().containsAll(kinds);
    }
}
