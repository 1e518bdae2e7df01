package dev.registry.server.chaos;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long chaos run: scenarios one after another, seeds counting up from the first, until the
 * time is up (at least one). Prints a line per scenario and a summary (scenarios, seeds,
 * faults by kind, pushes checked, violations) and fails at the end with every failed seed's
 * history if any invariant was violated; a failed seed does not stop the run.
 */
final class LongRun {
    /** Sets up and runs one scenario of the given seed to its end; the caller closes it. */
    interface ScenarioRunner {
        ChaosScenario run(long seed) throws Exception;
    }

    private LongRun() {
    }

    static void run(String label, long firstSeed, Duration duration, ScenarioRunner runner) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        Map<String, Integer> faults = new TreeMap<>();
        int scenarios = 0;
        long pushes = 0;
        long operations = 0;
        int violations = 0;
        StringBuilder failures = new StringBuilder();
        do {
            long seed = firstSeed + scenarios;
            try (ChaosScenario h = runner.run(seed)) {
                InvariantChecker c = h.checker;
                c.faults().forEach((k, v) -> faults.merge(k, v, Integer::sum));
                pushes += c.pushesChecked();
                violations += c.violations().size();
                operations += c.operationsDone();
                System.out.printf("%s seed %d: faults %s, %d operations acknowledged, %d pushes checked, convergence %s, "
                        + "%d violations%n", label, seed, c.faults(), c.operationsDone(), c.pushesChecked(),
                        c.convergenceSummary(), c.violations().size());
                if (!c.violations().isEmpty()) {
                    failures.append(c.history()).append("\n\n");
                }
            }
            scenarios++;
        } while (System.nanoTime() < end);
        int total = faults.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("%s summary: %d scenarios (seeds %d..%d), %d faults %s, %d operations acknowledged, "
                        + "%d pushes checked, %d violations%n",
                label, scenarios, firstSeed, firstSeed + scenarios - 1, total, faults, operations, pushes, violations);
        assertThat(violations).as("invariant violations; replay with -Dchaos.seed=N%n%s", failures).isZero();
    }
}
