package dev.registry.server.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomized fault injection on an in-JVM cluster with an invariant checker ({@link ChaosHarness}).
 * The short suite runs in {@code mvn verify}: a few seeds, each going through every fault kind at
 * least once (about a minute each). The long one: {@code mvn -B -o -Pchaos verify -pl
 * registry-server -Dtest=ChaosTest -Dchaos.minutes=30} ({@code -Dchaos.seed=N} to start from a
 * seed); it prints a summary line starting with "chaos summary". See docs/reliability.md.
 */
class ChaosTest {

    /** The seeds of the short suite: 1, 2, 3, or {@code -Dchaos.seeds=4,5,6} (scripts/planted-bugs.sh uses it). */
    static java.util.stream.LongStream seeds() {
        return java.util.Arrays.stream(System.getProperty("chaos.seeds", "1,2,3").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void invariantsHoldUnderRandomFaults(long seed) throws Exception {
        try (ChaosHarness h = scenario(seed, Duration.ofSeconds(20))) {
            System.out.printf("chaos seed %d: faults %s, %d operations acknowledged, %d pushes checked, convergence %s, "
                    + "%d violations%n", seed, h.faults(), h.checker.operationsDone(), h.checker.pushesChecked(),
                    h.checker.convergenceSummary(), h.checker.violations().size());
            assertThat(h.checker.violations()).as("invariant violations; replay with -Dchaos.seed=%d%n%s", seed,
                    h.checker.history()).isEmpty();
        }
    }

    @Test
    @Tag("chaos")
    void longChaos() throws Exception {
        LongRun.run("chaos", Long.getLong("chaos.seed", System.nanoTime()),
                Duration.ofMinutes(Long.getLong("chaos.minutes", 30)), seed -> scenario(seed, Duration.ofSeconds(60)));
    }

    /** Runs one scenario to its end and returns it (still to be closed) with its checker's findings. */
    private static ChaosHarness scenario(long seed, Duration duration) throws Exception {
        ChaosHarness h = new ChaosHarness(seed);
        try {
            h.setUp();
            h.run(duration, true);
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
        return h;
    }
}
