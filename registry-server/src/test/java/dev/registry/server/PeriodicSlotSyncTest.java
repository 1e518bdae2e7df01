package dev.registry.server;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.DataServer;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The periodic slot sync sends each slot's summary first and the full digest only when the
 * leader's differs: an unchanged slot costs two numbers, and a slot whose leader lost a
 * publisher behind everyone's back (no leader change, no reconnect) still gets it back.
 */
class PeriodicSlotSyncTest {
    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPublisherTheLeaderLostSilentlyIsRestoredByThePeriodicSweep() {
        cluster = new TestCluster(2, 1);
        SessionServer session = cluster.sessions.get(0);
        DataInfoId id = DataInfoId.of("svc.periodic");
        cluster.client(session).publish(id, List.of("10.0.0.1:1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.leaderDatum(id).publishers().size() == 1);

        // Unchanged slots: at least one full sweep of summaries that all match (the test cluster sweeps every 5 s).
        await().atMost(Duration.ofSeconds(20)).until(() -> session.metricsText()
                .contains("registry_session_slot_syncs_total") && syncs(session) >= 256);
        long mismatchesBefore = mismatches(session);

        SlotTable t = cluster.leaderMeta().slotTable();
        int slot = t.slotOf(id);
        DataServer leader = cluster.data.stream().filter(d -> d.address().equals(t.slot(slot).leader()))
                .findFirst().orElseThrow();
        String registerId = cluster.leaderDatum(id).publishers().get(0).registerId();
        leader.store().remove(slot, id, registerId, null); // lost: no notice, no leader change

        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.leaderDatum(id).publishers().size() == 1);
        assertThat(mismatches(session)).as("the summary found the difference").isGreaterThan(mismatchesBefore);
        assertThat(cluster.leaderDatum(id).values()).containsExactly("10.0.0.1:1");
    }

    private static long syncs(SessionServer session) {
        return metric(session, "registry_session_slot_syncs_total");
    }

    private static long mismatches(SessionServer session) {
        return metric(session, "registry_session_slot_sync_summary_mismatches_total");
    }

    private static long metric(SessionServer session, String name) {
        for (String line : session.metricsText().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + name);
    }
}
