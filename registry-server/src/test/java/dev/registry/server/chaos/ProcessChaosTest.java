package dev.registry.server.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The process-level chaos run ({@link ProcessChaosHarness}): real node processes started by
 * scripts/cluster.sh, faults by signals. Tagged {@code chaos-process}, so it runs only with its
 * profile, after the runnable jar was built:
 * <pre>
 * flock /tmp/mvn.lock mvn -B -o -q package -pl registry-server -am -DskipTests
 * flock /tmp/mvn.lock mvn -B -o test -Pchaos-process -pl registry-server -Dtest=ProcessChaosTest -Dchaos.minutes=5
 * </pre>
 * ({@code -Dchaos.seed=N} to replay; {@code -Dchaos.process.basePort=P} if 9850 and up are taken.)
 * The cluster lives in registry-server/target/process-chaos (logs of every node there).
 */
@Tag("chaos-process")
class ProcessChaosTest {

    @Test
    void invariantsHoldUnderProcessFaults() throws Exception {
        Path repo = Path.of("").toAbsolutePath().getParent();
        assertThat(ProcessChaosHarness.serverJar(repo)).as("build the runnable jar first (see the class comment)")
                .exists();
        Path dir = repo.resolve("registry-server/target/process-chaos");
        Files.createDirectories(dir);
        long minutes = Long.getLong("chaos.minutes", 5);
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
        Map<String, Integer> faults = new TreeMap<>();
        int scenarios = 0;
        long pushes = 0;
        int violations = 0;
        StringBuilder failures = new StringBuilder();
        do {
            long s = seed + scenarios;
            try (ProcessChaosHarness h = new ProcessChaosHarness(s, repo, dir)) {
                h.setUp();
                h.run(Duration.ofSeconds(Math.min(120, Math.max(30, minutes * 60 - 30))), false);
                h.checker.faults().forEach((k, v) -> faults.merge(k, v, Integer::sum));
                pushes += h.checker.pushesChecked();
                violations += h.checker.violations().size();
                System.out.printf("process chaos seed %d: faults %s, %d pushes checked, %d violations%n", s,
                        h.checker.faults(), h.checker.pushesChecked(), h.checker.violations().size());
                if (!h.checker.violations().isEmpty()) {
                    failures.append(h.checker.history()).append("\n\n");
                }
            }
            scenarios++;
        } while (System.nanoTime() < end);
        int total = faults.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("process chaos summary: %d scenarios (seeds %d..%d), %d faults %s, %d pushes checked, "
                + "%d violations%n", scenarios, seed, seed + scenarios - 1, total, faults, pushes, violations);
        assertThat(violations).as("invariant violations; replay with -Dchaos.seed=N%n%s", failures).isZero();
    }
}
