package dev.registry.server;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.DataServer;
import dev.registry.server.chaos.FaultyProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Found by the chaos checker (seed 2 of {@code ChaosTest}, 2026-12-06): a client that moved to
 * another connection re-registered its publication, a session it had left wrote the old
 * registration once more (a retry that landed late; a drained session re-syncing a moved client's
 * publishers it holds), and the client's acknowledged unregister through its new connection then
 * removed nothing, because the data server's copy was stamped with the old connection. The value
 * stayed in pushes until the old session expired. A registration sent through a new connection now
 * carries a higher version, so the old write loses; and a data server remembers a withdrawn
 * registration's version for a while, so an older write that lands after the unregister does not
 * re-create it (found by the process-level run, seed 12001).
 */
class StaleRegistrationWriteTest {
    private static final DataInfoId ID = DataInfoId.of("svc.stale-write");

    private TestCluster cluster;
    private FaultyProxy proxy;
    private RegistryClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aLateWriteOfTheOldConnectionNeitherReplacesTheRegistrationNorOutlivesItsUnregister() throws Exception {
        cluster = new TestCluster(1, 1);
        proxy = new FaultyProxy(cluster.sessions.get(0).port());
        client = RegistryClient.start(RegistryClientConfig.builder(FaultyProxy.addresses(List.of(proxy)))
                .appName("stale").requestTimeout(Duration.ofSeconds(10))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build());
        Publication publication = client.publish(ID, List.of("10.0.0.1:1"));
        DataServer data = cluster.data.get(0);
        SlotTable table = cluster.leaderMeta().slotTable();
        int slot = table.slotOf(ID);
        await().atMost(Duration.ofSeconds(10)).until(() -> data.store().publisher(slot, ID, publication.registerId()) != null);
        Publisher old = data.store().publisher(slot, ID, publication.registerId());

        proxy.resetAll(); // the client re-registers through a new connection
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Publisher now = data.store().publisher(slot, ID, publication.registerId());
            return now != null && !old.connectionId().equals(now.connectionId());
        });
        Publisher current = data.store().publisher(slot, ID, publication.registerId());

        // The old connection's write lands late (what a session's retry does when it arrives after the move).
        data.store().put(slot, old);
        publication.unregister(); // returns once the session synced the removal to the slot leader
        assertThat(data.store().publisher(slot, ID, publication.registerId()))
                .as("the acknowledged unregister removed it (not only the anti-entropy sweep, seconds later)").isNull();
        assertThat(current.version()).as("why: a registration through a new connection goes up a version")
                .isGreaterThan(old.version());

        // The other order (process-level chaos, seed 12001): the old write lands after the unregister.
        data.store().put(slot, old);
        assertThat(data.store().publisher(slot, ID, publication.registerId()))
                .as("a late write of an older version does not re-create a withdrawn registration").isNull();
    }
}
