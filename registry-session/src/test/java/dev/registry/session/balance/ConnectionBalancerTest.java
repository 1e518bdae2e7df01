package dev.registry.session.balance;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionBalancerTest {

    @Test
    void twoFullSessionsEachSendTheirShareToTheNewOne() {
        Map<String, Integer> counts = Map.of("a", 100, "b", 100, "c", 0);
        assertThat(ConnectionBalancer.plan("a", counts, 0.05, 1000)).isEqualTo(Map.of("c", 33));
        assertThat(ConnectionBalancer.plan("b", counts, 0.05, 1000)).isEqualTo(Map.of("c", 33));
        assertThat(ConnectionBalancer.plan("c", counts, 0.05, 1000)).isEmpty();
    }

    @Test
    void movesAreCappedByTheBudget() {
        Map<String, Integer> counts = Map.of("a", 100, "b", 100, "c", 0);
        assertThat(ConnectionBalancer.plan("a", counts, 0.05, 20)).isEqualTo(Map.of("c", 20));
    }

    @Test
    void withinToleranceNobodyMoves() {
        Map<String, Integer> counts = Map.of("a", 69, "b", 67, "c", 64);
        for (String s : counts.keySet()) {
            assertThat(ConnectionBalancer.plan(s, counts, 0.05, 100)).as(s).isEmpty();
        }
    }

    @Test
    void aSessionFarBelowPullsFromThoseJustAbove() {
        // average 66.7, slack 3.3: a and b are within it, c is not.
        Map<String, Integer> counts = Map.of("a", 70, "b", 67, "c", 63);
        assertThat(ConnectionBalancer.plan("a", counts, 0.05, 100)).isEqualTo(Map.of("c", 3));
        assertThat(ConnectionBalancer.plan("b", counts, 0.05, 100)).isEmpty();
    }

    @Test
    void aDifferenceOfOneClientIsNotWorthAMove() {
        assertThat(ConnectionBalancer.plan("a", Map.of("a", 2, "b", 1), 0.0, 10)).isEmpty();
        assertThat(ConnectionBalancer.plan("a", Map.of("a", 1, "b", 0), 0.0, 10)).isEmpty();
        assertThat(ConnectionBalancer.plan("a", Map.of("a", 3, "b", 0), 0.0, 10)).isEqualTo(Map.of("b", 1));
    }

    @Test
    void sessionsTakingNoClientsAreNeitherSourcesNorTargets() {
        Map<String, Integer> counts = Map.of("a", 100, "b", -1, "c", 20);
        assertThat(ConnectionBalancer.plan("a", counts, 0.05, 1000)).isEqualTo(Map.of("c", 40));
        assertThat(ConnectionBalancer.plan("b", counts, 0.05, 1000)).isEmpty();
        assertThat(ConnectionBalancer.plan("a", Map.of("a", 100, "b", -1), 0.05, 1000)).isEmpty();
        assertThat(ConnectionBalancer.plan("x", counts, 0.05, 1000)).as("unknown self").isEmpty();
    }

    @Test
    void deficitsAreSplitSoTheySumToTheirTotal() {
        Map<String, Integer> counts = Map.of("a", 90, "b", 60, "c", 0, "d", 10);
        // average 40: a has 50 too many, b 20; c needs 40, d 30.
        Map<String, Integer> fromA = ConnectionBalancer.plan("a", counts, 0.05, 1000);
        Map<String, Integer> fromB = ConnectionBalancer.plan("b", counts, 0.05, 1000);
        assertThat(fromA.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
        assertThat(fromB.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
        assertThat(fromA.getOrDefault("c", 0) + fromB.getOrDefault("c", 0)).isBetween(39, 41);
        assertThat(fromA.getOrDefault("d", 0) + fromB.getOrDefault("d", 0)).isBetween(29, 31);
    }

    /** Rounds of independent plans from one snapshot converge to within the tolerance, never overshooting a target. */
    @Test
    void randomClustersConvergeWithoutOvershoot() {
        Random random = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            Map<String, Integer> counts = new TreeMap<>();
            int sessions = 2 + random.nextInt(6);
            for (int i = 0; i < sessions; i++) {
                counts.put("s" + i, random.nextInt(4) == 0 ? 0 : random.nextInt(2000));
            }
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            ConnectionBalancer.Settings settings = ConnectionBalancer.Settings.defaults();
            int rounds = 0;
            while (rounds < 200) {
                Map<String, Integer> snapshot = Map.copyOf(counts);
                Map<String, Integer> next = new HashMap<>(counts);
                boolean moved = false;
                for (String s : snapshot.keySet()) {
                    Map<String, Integer> plan = ConnectionBalancer.plan(s, snapshot, settings.tolerance(),
                            settings.budget(snapshot.get(s)));
                    for (Map.Entry<String, Integer> m : plan.entrySet()) {
                        assertThat(snapshot.get(m.getKey())).as("a target is below average").isLessThan(snapshot.get(s));
                        next.merge(s, -m.getValue(), Integer::sum);
                        next.merge(m.getKey(), m.getValue(), Integer::sum);
                        moved = true;
                    }
                }
                double average = (double) total / sessions;
                for (Map.Entry<String, Integer> e : next.entrySet()) {
                    assertThat(e.getValue()).as("no overshoot past the average").isLessThanOrEqualTo(
                            Math.max(snapshot.get(e.getKey()), (int) Math.ceil(average) + sessions));
                }
                counts = new TreeMap<>(next);
                rounds++;
                if (!moved) {
                    break;
                }
            }
            double average = (double) total / sessions;
            assertThat(rounds).as("converged for %s", counts).isLessThan(200);
            for (int n : counts.values()) {
                assertThat(Math.abs(n - average)).as("balanced %s", counts)
                        .isLessThanOrEqualTo(Math.max(1.0, average * 0.05) + sessions);
            }
            assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(total);
        }
    }

    @Test
    void budgetIsTheLargerOfCountAndFraction() {
        ConnectionBalancer.Settings s = ConnectionBalancer.Settings.defaults();
        assertThat(s.budget(100)).isEqualTo(20);
        assertThat(s.budget(10_000)).isEqualTo(500);
    }

    @Test
    void theSamePlanWhateverTheMapOrder() {
        Map<String, Integer> a = new LinkedHashMap<>();
        a.put("z", 50);
        a.put("y", 0);
        a.put("x", 0);
        a.put("w", 51);
        Map<String, Integer> b = new TreeMap<>(a);
        assertThat(ConnectionBalancer.plan("w", a, 0.05, 100)).isEqualTo(ConnectionBalancer.plan("w", b, 0.05, 100));
    }

    @Test
    void damperActsOnlyOnASettledImbalanceSeenTwice() {
        ConnectionBalancer.Damper damper = new ConnectionBalancer.Damper();
        // Clients still arriving: the total moves, nothing happens.
        assertThat(damper.shouldAct(Map.of("a", 40, "b", 20), 0.05, true)).isFalse();
        assertThat(damper.shouldAct(Map.of("a", 80, "b", 60), 0.05, true)).isFalse();
        // Settled and seen twice: act once.
        assertThat(damper.shouldAct(Map.of("a", 100, "b", 100, "c", 0), 0.05, true)).isFalse();
        assertThat(damper.shouldAct(Map.of("a", 100, "b", 100, "c", 0), 0.05, true)).isTrue();
        // The moves must show before the next decision: the round right after never acts.
        assertThat(damper.shouldAct(Map.of("a", 80, "b", 80, "c", 40), 0.05, true)).isFalse();
        assertThat(damper.shouldAct(Map.of("a", 80, "b", 80, "c", 40), 0.05, true)).isTrue();
        // Balanced: nothing wanted, nothing done.
        assertThat(damper.shouldAct(Map.of("a", 67, "b", 67, "c", 66), 0.05, false)).isFalse();
        assertThat(damper.shouldAct(Map.of("a", 67, "b", 67, "c", 66), 0.05, false)).isFalse();
        // Sessions taking no clients do not count in the total.
        assertThat(damper.shouldAct(Map.of("a", 67, "b", 67, "c", 66, "d", -1), 0.05, true)).isFalse();
    }
}
