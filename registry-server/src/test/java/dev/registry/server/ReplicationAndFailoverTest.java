package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.DataServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Replicas, failover, scale-out and drain with a fixed set of live publishers: none may be
 * lost, and no subscriber may ever be pushed a list shorter than the full one once it had it
 * (DESIGN invariants 1, 3, 4, 5).
 */
class ReplicationAndFailoverTest {
    private static final int IDS = 24;
    private TestCluster cluster;
    private final List<DataInfoId> ids = new ArrayList<>();
    private final List<RecordingObserver> observers = new ArrayList<>();

    @BeforeEach
    void start() {
        cluster = new TestCluster(3, 2);
        RegistryClient pubA = cluster.client(cluster.sessions.get(0));
        RegistryClient pubB = cluster.client(cluster.sessions.get(1));
        RegistryClient subs = cluster.client(cluster.sessions.get(1));
        for (int i = 0; i < IDS; i++) {
            DataInfoId id = DataInfoId.of("svc.ha." + i);
            ids.add(id);
            pubA.publish(id, List.of("a:" + i));
            pubB.publish(id, List.of("b:" + i));
            RecordingObserver o = new RecordingObserver();
            subs.subscribe(id, o);
            observers.add(o);
        }
        awaitAllComplete(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private void awaitAllComplete(Duration bound) {
        await().atMost(bound).until(() -> observers.stream()
                .allMatch(o -> o.last() != null && o.last().values().size() == 2));
    }

    /** Once a subscriber had both values, every later push still has both; versions only increase. */
    private void assertNoShrunkenPushAndMonotonicVersions() {
        for (int i = 0; i < IDS; i++) {
            RecordingObserver o = observers.get(i);
            boolean full = false;
            for (SubscriptionData d : o.received) {
                if (full) {
                    assertThat(d.values()).as("push to %s after it was complete: v%d", ids.get(i), d.version())
                            .containsExactlyInAnyOrder("a:" + i, "b:" + i);
                }
                full |= d.values().size() == 2;
            }
            assertThat(o.versionsIncrease()).as("versions of %s", ids.get(i)).isTrue();
        }
    }

    private void assertLeadersHoldEveryPublisher() {
        for (int i = 0; i < IDS; i++) {
            assertThat(cluster.leaderDatum(ids.get(i)).values()).as(ids.get(i).toString())
                    .containsExactlyInAnyOrder("a:" + i, "b:" + i);
        }
    }

    @Test
    void followersHoldTheLeadersDatumsAndVersions() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            SlotTable table = cluster.meta.slotTable();
            for (DataInfoId id : ids) {
                int slot = table.slotOf(id);
                SlotAssignment a = table.slot(slot);
                Datum leader = cluster.leaderDatum(id);
                for (String follower : a.followers()) {
                    DataServer f = cluster.data.stream().filter(d -> d.address().equals(follower)).findFirst().orElseThrow();
                    Datum copy = f.store().get(slot, id);
                    assertThat(copy.version()).as("%s on follower %s", id, follower).isEqualTo(leader.version());
                    assertThat(copy.publishers()).containsExactlyInAnyOrderElementsOf(leader.publishers());
                }
            }
        });
    }

    @Test
    void killingADataServerLosesNoPublisherAndPushesNoShrunkenList() {
        DataServer victim = cluster.data.get(0);
        cluster.stopDataServer(victim); // abrupt: no drain, meta notices by lease expiry
        await().atMost(Duration.ofSeconds(20)).until(() -> !cluster.meta.slotTable().servers().contains(victim.address()));
        cluster.awaitStable();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(this::assertLeadersHoldEveryPublisher);
        awaitAllComplete(Duration.ofSeconds(10));
        assertNoShrunkenPushAndMonotonicVersions();
    }

    @Test
    void aNewEmptyDataServerTakesSlotsAndConvergesToTheLivePublishers() {
        DataServer joined = cluster.addDataServer();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.meta.slotTable().slotsLedBy(joined.address()).size() > 0);
        cluster.awaitStable();
        // Then lose an old one too: the joined server must by now hold real copies.
        cluster.stopDataServer(cluster.data.get(0));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.meta.dataServers().size() == 3);
        cluster.awaitStable();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(this::assertLeadersHoldEveryPublisher);
        assertNoShrunkenPushAndMonotonicVersions();
    }

    @Test
    void aClusterThatLostEveryDataServerIsRebuiltFromTheSessionsWithoutAShrunkenPush() {
        for (DataServer d : new ArrayList<>(cluster.data)) {
            cluster.stopDataServer(d);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.meta.dataServers().isEmpty());
        // Brand-new, empty servers: every slot gets a leader without data. They must not serve
        // reads before the sessions re-synced them, or subscribers would see empty lists.
        cluster.addDataServer();
        cluster.addDataServer();
        cluster.awaitStable();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(this::assertLeadersHoldEveryPublisher);
        awaitAllComplete(Duration.ofSeconds(10));
        assertNoShrunkenPushAndMonotonicVersions();
    }

    @Test
    void aDrainedDataServerHandsItsSlotsOffBeforeItStops() {
        DataServer leaving = cluster.data.get(1);
        List<Integer> led = cluster.meta.slotTable().slotsLedBy(leaving.address());
        assertThat(led).isNotEmpty();
        long start = System.nanoTime();
        leaving.drain(Duration.ofSeconds(30));
        long drainMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(cluster.meta.slotTable().servers()).doesNotContain(leaving.address());
        cluster.stopDataServer(leaving);
        System.out.printf("drain of %d led slots took %d ms%n", led.size(), drainMs);
        cluster.awaitStable();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(this::assertLeadersHoldEveryPublisher);
        awaitAllComplete(Duration.ofSeconds(5));
        assertNoShrunkenPushAndMonotonicVersions();
    }
}
