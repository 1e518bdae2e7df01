package dev.registry.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench's smoke mode, so it never rots: ours (all-in-one jar) and a ZooKeeper server started
 * as separate processes, driven by agent processes, tiny sizes, scenarios 1-5, within seconds.
 */
class BenchSmokeTest {
    private static final Path SERVER_JAR = Path.of("../registry-server/target/registry-server-0.1.0-SNAPSHOT-all.jar");

    @Test
    void smokeRunMeasuresEveryScenarioForOursAndZooKeeper(@TempDir Path out, @TempDir Path work) throws Exception {
        assertThat(SERVER_JAR).as("runnable server jar (built by the registry-server module's package phase)").exists();

        int code = BenchMain.run("--smoke", "--target", "both", "--server-jar", SERVER_JAR.toString(),
                "--out", out.toString(), "--work-dir", work.toString());

        assertThat(code).isZero();
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        for (String system : List.of("ours", "zookeeper")) {
            assertThat(csv).as(system + " registration throughput")
                    .anyMatch(l -> l.startsWith(system + ",1 registration throughput,registrations/s,"));
            assertThat(csv).as(system + " latency p99").anyMatch(l -> l.startsWith(system + ",2 change-to-notification latency,p99,"));
            assertThat(csv).as(system + " heap per publisher").anyMatch(l -> l.startsWith(system + ",4 memory,heap per publisher,"));
            assertThat(csv).as(system + " heap per subscriber").anyMatch(l -> l.startsWith(system + ",4 memory,heap per subscriber,"));
            assertThat(csv).as(system + " connections").anyMatch(l -> l.startsWith(system + ",5 connections,connections held,count,100,"));
        }
        assertThat(csv).anyMatch(l -> l.startsWith("ours,3 dead-provider detection,all subscribers updated (default timeout),"));
        assertThat(csv).anyMatch(l -> l.startsWith("zookeeper,3 dead-provider detection,all subscribers updated (tuned timeout),"));
        assertThat(out.resolve("results.md")).content().contains("| 1 registration throughput | registrations/s |");
        assertThat(out.resolve("latency.svg")).content().startsWith("<svg");
        assertThat(out.resolve("registrations.svg")).exists();
        assertThat(dev.registry.bench.process.Proc.liveCount()).as("processes left running").isZero();
    }
}
