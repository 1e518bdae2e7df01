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
 * Randomized fault injection with an invariant checker. The short suite (a few seeds, ~20 s
 * each) runs in {@code mvn verify}; the long one runs with {@code mvn -Pchaos verify -pl
 * registry-server} ({@code -Dchaos.minutes=30}, {@code -Dchaos.seed=N} to start from a seed).
 */
class ChaosTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void invariantsHoldUnderRandomFaults(long seed) throws Exception {
        runScenario(seed, Duration.ofSeconds(18), new TreeMap<>());
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
        while (System.nanoTime() < end) {
            pushes += runScenario(seed + scenarios, Duration.ofSeconds(60), faults);
            scenarios++;
        }
        System.out.printf("chaos summary: %d scenarios (seeds %d..%d), faults %s, %d pushes checked, 0 violations%n",
                scenarios, seed, seed + scenarios - 1, faults, pushes);
    }

    private static long runScenario(long seed, Duration duration, Map<String, Integer> faultTotals) throws Exception {
        try (ChaosHarness h = new ChaosHarness(seed)) {
            h.setUp();
            h.run(duration);
            h.faults().forEach((k, v) -> faultTotals.merge(k, v, Integer::sum));
            System.out.printf("chaos seed %d: faults %s, %d pushes checked, %d violations%n", seed, h.faults(),
                    h.pushesChecked(), h.violations().size());
            assertThat(h.violations()).as("invariant violations; replay with -Dchaos.seed=%d%n%s", seed, h.history())
                    .isEmpty();
            return h.pushesChecked();
        }
    }
}
