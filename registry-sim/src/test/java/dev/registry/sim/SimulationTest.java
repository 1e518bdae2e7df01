package dev.registry.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deterministic simulation in {@code mvn verify}: a batch of seeds through every fault kind
 * with no violation, the regression seeds of the bugs it found, and exact replay (the same seed
 * gives the same history, byte for byte). Longer runs: {@code scripts/simulate.sh}.
 */
class SimulationTest {
    /**
     * Seeds (beyond 1-12) that catch the bugs the simulator found (docs/reliability.md,
     * "Deterministic simulation"): without the fix, 30, 33, 36, 57 and 59 fail on a data server
     * restarted under its address reusing its log ids (1, 4 and 6 too); nearly every seed,
     * 1-12 included, on a successor leader's lower clock-stamped versions dropped as older; 68
     * and 172 on a digest retried into a newer table whose "synced" opened the new leader's read
     * gate with an old listing of the session's publishers; 400298 and 400631 on a session and a
     * removed data server that both missed a table and then lost meta (reads of withdrawn values).
     */
    private static final long[] REGRESSION_SEEDS = {30, 33, 36, 57, 59, 68, 172, 400298, 400631};

    private static List<String> kinds() {
        return SimFaults.KINDS;
    }

    @Test
    void seedsRunThroughEveryFaultKindWithoutAViolation() {
        Map<String, Integer> kinds = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long pushes = 0;
        for (long seed = 1; seed <= 12; seed++) {
            Simulation.Result r = Simulation.run(seed, 40, 20, kinds());
            r.faults().forEach((k, n) -> kinds.merge(k, n, Integer::sum));
            pushes += r.pushes();
            if (!r.violations().isEmpty()) {
                failures.add("seed " + seed + ": " + r.violations().subList(0, Math.min(5, r.violations().size())));
            }
        }
        assertThat(failures).as("violations (replay with scripts/simulate.sh --seed S)").isEmpty();
        assertThat(kinds.keySet()).as("every fault kind executed").containsExactlyInAnyOrderElementsOf(kinds());
        assertThat(kinds.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThan(12 * 20);
        assertThat(pushes).as("pushes checked").isGreaterThan(12 * 1_000L);
    }

    @Test
    void theSeedsThatFoundBugsPass() {
        for (long seed : REGRESSION_SEEDS) {
            Simulation.Result r = Simulation.run(seed, 40, 20, kinds());
            assertThat(r.violations()).as("seed %d", seed).isEmpty();
            assertThat(r.operations()).as("seed %d did work", seed).isGreaterThan(500);
        }
    }

    @Test
    void aSeedReplaysToTheSameHistory() {
        Simulation.Result first = Simulation.run(11, 20, 10, kinds());
        Simulation.Result again = Simulation.run(11, 20, 10, kinds());
        assertThat(again.history()).isEqualTo(first.history());
        assertThat(again.historyHash()).isEqualTo(first.historyHash());
        assertThat(again.traceHash()).as("every push, in order, at the same simulated time").isEqualTo(first.traceHash());
        assertThat(again.events()).isEqualTo(first.events());
        assertThat(first.faultCount()).isGreaterThan(10);
    }
}
