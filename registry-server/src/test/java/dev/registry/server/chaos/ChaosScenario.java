package dev.registry.server.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
    final InvariantChecker checker;
    final Random random;
    Workload workload;
    private final List<String> deck = new ArrayList<>();
    /** Every fault kind this cluster can inject. */
    private final List<String> kinds;
    /** How long the cluster may take to converge once faults stop. */
    private final Duration settleBound;

    ChaosScenario(long seed, List<String> kinds, Duration deadBound, Duration settleBound) {
        this.checker = new InvariantChecker(seed, deadBound);
        this.random = new Random(seed);
        this.kinds = List.copyOf(kinds);
        this.settleBound = settleBound;
    }

    /** Injects one fault of {@code kind}; returns what undoes it (run after the next fault), or null. */
    abstract Runnable inject(String kind) throws Exception;

    /** Ends every lasting fault (silent links, delays, paused nodes) before settling. */
    abstract void healAll() throws Exception;

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
     * every fault kind was drawn once), then checks convergence.
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
        long end = System.nanoTime() + duration.toNanos();
        int drawn = 0;
        int kindCount = kinds.size();
        Runnable pendingRepair = null;
        try {
            while (System.nanoTime() < end || (everyKind && drawn < kindCount)) {
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
    }
}
