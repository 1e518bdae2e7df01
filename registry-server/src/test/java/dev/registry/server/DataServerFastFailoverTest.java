package dev.registry.server;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.DataServerUnreachable;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
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
 * A data server that dies abruptly leaves the slot table as soon as the sessions and its peers
 * have reported its closed connections and meta's own probe failed, long before its lease runs
 * out; its slots fail over to their followers with no publisher lost and no shrunken push. A
 * report about a live server is probed and changes nothing (issue 15, item 6).
 */
class DataServerFastFailoverTest {
    /** Far longer than the bounds below: only the reports can explain a removal within them. */
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int IDS = 16;
    private TestCluster cluster;
    private final List<DataInfoId> ids = new ArrayList<>();
    private final List<Publication> publications = new ArrayList<>();
    private final List<RecordingObserver> observers = new ArrayList<>();

    @BeforeEach
    void start() {
        cluster = new TestCluster(3, 2, Duration.ofSeconds(5), LEASE);
        RegistryClient pubA = cluster.client(cluster.sessions.get(0));
        RegistryClient pubB = cluster.client(cluster.sessions.get(1));
        RegistryClient subs = cluster.client(cluster.sessions.get(1));
        for (int i = 0; i < IDS; i++) {
            DataInfoId id = DataInfoId.of("svc.fast-failover." + i);
            ids.add(id);
            publications.add(pubA.publish(id, List.of("a:" + i)));
            pubB.publish(id, List.of("b:" + i));
            RecordingObserver o = new RecordingObserver();
            subs.subscribe(id, o);
            observers.add(o);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> observers.stream()
                .allMatch(o -> o.last() != null && o.last().values().size() == 2));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aKilledDataServerLeavesTheSlotTableLongBeforeItsLeaseEnds() {
        DataServer victim = cluster.data.get(0);
        assertThat(cluster.meta.slotTable().slotsLedBy(victim.address())).isNotEmpty();
        cluster.stopDataServer(victim); // abrupt: no drain, no leaving message; its connections just close

        // Slack for a loaded machine, yet a third of the lease: the lease cannot be what removed it.
        await().atMost(LEASE.dividedBy(3)).until(() -> !cluster.meta.slotTable().servers().contains(victim.address()));
        assertThat(cluster.meta.dataServers()).doesNotContain(victim.address());
        cluster.awaitStable();

        // Whole again, and a change made after the failover reaches every subscriber.
        await().atMost(Duration.ofSeconds(10)).until(() -> observers.stream()
                .allMatch(o -> o.last() != null && o.last().values().size() == 2));
        for (int i = 0; i < IDS; i++) {
            publications.get(i).update(List.of("a2:" + i));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (int i = 0; i < IDS; i++) {
                assertThat(observers.get(i).lastValues()).as(ids.get(i).toString())
                        .containsExactlyInAnyOrder("a2:" + i, "b:" + i);
            }
        });
        assertNoShrunkenPush();
    }

    @Test
    void aReportAboutALiveDataServerIsProbedAndChangesNothing() throws Exception {
        DataServer live = cluster.data.get(1);
        long epoch = cluster.meta.slotTable().epoch();
        RpcClient reporter = new RpcClient("test-reporter", RpcConfig.clientDefaults(), WireClasses.serializer(),
                new HandlerRegistry(), new ConnectionListener() { });
        try {
            RpcConnection toMeta = reporter.connect("127.0.0.1", cluster.meta.port()).get();
            // A node cut off from that server (or lying) reports it: meta probes, the probe reaches it.
            Object answer = toMeta.call(new DataServerUnreachable(live.address(), "cut-off-session"), Duration.ofSeconds(5)).get();
            assertThat(answer).as("a probe started").isEqualTo(Boolean.TRUE);
            // More reports while that probe runs, or within a second after it reached the server, start none.
            Object again = toMeta.call(new DataServerUnreachable(live.address(), "cut-off-session"), Duration.ofSeconds(5)).get();
            assertThat(again).isEqualTo(Boolean.FALSE);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> cluster.meta.slotTable().servers().contains(live.address())
                            && cluster.meta.slotTable().epoch() == epoch);
            Object unknown = toMeta.call(new DataServerUnreachable("127.0.0.1:1", "cut-off-session"), Duration.ofSeconds(5)).get();
            assertThat(unknown).as("not a member: nothing to probe").isEqualTo(Boolean.FALSE);
        } finally {
            reporter.close();
        }
        assertThat(cluster.meta.dataServers()).contains(live.address());
    }

    /** Once a subscriber had both values, no later push has fewer than two; versions only increase. */
    private void assertNoShrunkenPush() {
        for (int i = 0; i < IDS; i++) {
            RecordingObserver o = observers.get(i);
            boolean full = false;
            for (SubscriptionData d : o.received) {
                if (full) {
                    assertThat(d.values()).as("push to %s after it was complete: v%d", ids.get(i), d.version()).hasSize(2);
                }
                full |= d.values().size() == 2;
            }
            assertThat(o.versionsIncrease()).as("versions of %s", ids.get(i)).isTrue();
        }
    }
}
