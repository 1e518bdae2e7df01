package dev.registry.server.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
        Duration each = Duration.ofSeconds(Math.min(120, Math.max(30, minutes * 60 - 30)));
        LongRun.run("process chaos", Long.getLong("chaos.seed", System.nanoTime()), Duration.ofMinutes(minutes), seed -> {
            ProcessChaosHarness h = new ProcessChaosHarness(seed, repo, dir);
            try {
                h.setUp();
                h.run(each, false);
            } catch (Exception | Error e) {
                h.close();
                throw e;
            }
            return h;
        });
    }
}
