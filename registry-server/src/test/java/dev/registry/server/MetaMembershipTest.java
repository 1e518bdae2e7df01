package dev.registry.server;

import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.DataServer;
import dev.registry.meta.MetaServer;
import dev.registry.meta.MetaServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Meta's data membership around graceful leaves. */
class MetaMembershipTest {
    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void drainedServerStaysOutOfTheTableAndTheLastOneStopsAtOnce() {
        cluster = new TestCluster(2, 1);
        DataServer first = cluster.data.get(0);
        DataServer last = cluster.data.get(1);

        first.drain(Duration.ofSeconds(10));
        cluster.stopDataServer(first);

        // Gone for good once it disconnected, not put back until its lease would have run out.
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofMillis(2_500))
                .until(() -> cluster.meta.slotTable().servers().equals(java.util.Set.of(last.address())));
        await().atMost(Duration.ofSeconds(5)).until(() -> last.slotTables().current().servers().size() == 1);
        long start = System.nanoTime();
        last.drain(Duration.ofSeconds(10));
        assertThat((System.nanoTime() - start) / 1_000_000).as("nobody to hand off to: no wait").isLessThan(1_000);
    }

    @Test
    void metaWithoutADatabaseRestartsFromTheMembersTable() {
        cluster = new TestCluster(2, 1);
        DataServer extra = cluster.addDataServer(); // some history: members end at a higher epoch
        cluster.awaitStable();
        extra.drain(Duration.ofSeconds(10));
        cluster.stopDataServer(extra);
        cluster.awaitStable();
        MetaServer old = cluster.meta;
        SlotTable before = old.slotTable();
        assertThat(before.epoch()).isGreaterThan(3); // a fresh meta with two joins reaches epoch 3

        cluster.metas.remove(old);
        old.close();
        MetaServer fresh = new MetaServer(new MetaServerConfig("127.0.0.1", old.port(), 0, TestCluster.SLOTS, 2,
                Duration.ofSeconds(3), Duration.ofSeconds(3), RpcConfig.serverDefaults().withWorkerThreads(2)),
                Clock.systemUTC()).start();
        cluster.metas.add(fresh);

        // Its own state is gone (term 1 again, no table); it takes the members' table and a higher term.
        await().atMost(Duration.ofSeconds(10)).until(() -> fresh.slotTable().term() > before.term()
                && fresh.slotTable().sameAssignments(before));
        assertThat(fresh.slotTable().epoch()).isGreaterThan(before.epoch());
        SlotTable adopted = fresh.slotTable();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.data.stream()
                .allMatch(d -> d.slotTables().term() == adopted.term() && d.slotTables().epoch() == adopted.epoch()));
    }
}
