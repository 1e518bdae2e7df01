package dev.registry.server.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomized fault injection on an in-JVM cluster with an invariant checker ({@link ChaosHarness}).
 * The short suite runs in {@code mvn verify}: a few seeds, each going through every fault kind at
 * least once (about a minute each). The long one: {@code mvn -B -o -Pchaos verify -pl
 * registry-server -Dtest=ChaosTest -Dchaos.minutes=30} ({@code -Dchaos.seed=N} to start from a
 * seed); it prints a summary line starting with "chaos summary". See docs/reliability.md.
 */
class ChaosTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void invariantsHoldUnderRandomFaults(long seed) throws Exception {
        runScenario(seed, Duration.ofSeconds(20), new TreeMap<>());
    }

    @Test
    @Tag("chaos")
    void longChaos() throws Exception {
        long minutes = Long.getLong("chaos.minutes", 30);
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
        Map<String, Integer> faults = new TreeMap<>();
        int scenarios = 0;
        long pushes = 0;
        int violations = 0;
        StringBuilder failures = new StringBuilder();
        while (System.nanoTime() < end) {
            try (ChaosHarness h = scenario(seed + scenarios, Duration.ofSeconds(60), faults)) {
                pushes += h.checker.pushesChecked();
                violations += h.checker.violations().size();
                if (!h.checker.violations().isEmpty()) {
                    failures.append(h.checker.history()).append("\n\n");
                }
            }
            scenarios++;
        }
        int total = faults.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("chaos summary: %d scenarios (seeds %d..%d), %d faults %s, %d pushes checked, %d violations%n",
                scenarios, seed, seed + scenarios - 1, total, faults, pushes, violations);
        assertThat(violations).as("invariant violations; replay with -Dchaos.seed=N%n%s", failures).isZero();
    }

    /** Runs one scenario; fails with the seed and its history on any violation. */
    static void runScenario(long seed, Duration duration, Map<String, Integer> faultTotals) throws Exception {
        try (ChaosHarness h = scenario(seed, duration, faultTotals)) {
            assertThat(h.checker.violations()).as("invariant violations; replay with -Dchaos.seed=%d%n%s", seed,
                    h.checker.history()).isEmpty();
        }
    }

    /** Runs one scenario to its end and returns it (still to be closed) with its checker's findings. */
    private static ChaosHarness scenario(long seed, Duration duration, Map<String, Integer> faultTotals)
            throws Exception {
        ChaosHarness h = new ChaosHarness(seed);
        try {
            h.setUp();
            h.run(duration, true);
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
        h.faults().forEach((k, v) -> faultTotals.merge(k, v, Integer::sum));
        System.out.printf("chaos seed %d: faults %s, %d pushes checked, %d violations%n", seed, h.faults(),
                h.checker.pushesChecked(), h.checker.violations().size());
        return h;
    }
}
