package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.slot.SlotHash;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One client's many publishers in one slot must not starve that slot's reconciliation for
 * everybody else (issue 17). A client fills a slot with 20,000 publishers; the cluster loses its
 * data server, and a new, empty one must be rebuilt from the session. Its frame limit (512 KiB
 * here, 8 MiB by default against 100,000 publishers per connection) is below the slot's whole
 * digest (~1.2 MB): sent in one piece, the digest would close the session's link every time and
 * the slot, with another app's publisher in it, would never be reconciled or readable. Paged,
 * every page fits, and the other app's subscriber sees its provider again without ever being
 * pushed an empty list.
 */
class ReconciliationStarvationTest {
    private static final int FLOOD = 20_000;
    private static final int FRAME_LIMIT = 512 * 1024;
    private TestCluster cluster;
    private ExecutorService pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** An id other than {@code id} in the same slot. */
    private static DataInfoId neighbourOf(DataInfoId id) {
        int slot = SlotHash.slotOf(id, TestCluster.SLOTS);
        for (int i = 0; ; i++) {
            DataInfoId other = DataInfoId.of("svc.victim." + i);
            if (SlotHash.slotOf(other, TestCluster.SLOTS) == slot) {
                return other;
            }
        }
    }

    @Test
    void aSlotFullOfOneClientsPublishersIsStillReconciledForEverybody() throws Exception {
        cluster = new TestCluster(1, 1);
        SessionServer session = cluster.sessions.get(0);
        DataInfoId floodId = DataInfoId.of("svc.flood");
        DataInfoId victimId = neighbourOf(floodId);

        RegistryClient victim = cluster.client(session);
        victim.publish(victimId, List.of("10.0.0.1:8080"));
        RecordingObserver watcher = new RecordingObserver();
        victim.subscribe(victimId, watcher);
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.0.0.1:8080").equals(watcher.lastValues()));

        RegistryClient flooder = cluster.client(session);
        pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = thread; i < FLOOD; i += 8) {
                    publishRetryingWhenBusy(flooder, floodId, "10.1." + (i / 250) + "." + (i % 250) + ":1");
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        assertThat(cluster.leaderDatum(floodId).publishers()).hasSize(FLOOD);

        cluster.stopDataServer(cluster.data.get(0));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.meta.dataServers().isEmpty());
        cluster.addDataServer(rpc -> rpc.withMaxFrameBytes(FRAME_LIMIT));
        cluster.awaitStable();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(cluster.leaderDatum(victimId).values()).containsExactly("10.0.0.1:8080");
            assertThat(cluster.leaderDatum(floodId).publishers()).hasSize(FLOOD);
        });
        // The rebuilt slot serves reads again: a change reaches the subscriber.
        victim.publish(victimId, List.of("10.0.0.2:8080"));
        await().atMost(Duration.ofSeconds(15)).until(() -> watcher.lastValues() != null
                && watcher.lastValues().size() == 2);
        for (SubscriptionData d : watcher.received) {
            assertThat(d.values()).as("push v%d", d.version()).isNotEmpty();
        }
    }

    /** The flood runs into the connection's request rate: a busy answer is retried, as a client would. */
    private static void publishRetryingWhenBusy(RegistryClient client, DataInfoId id, String value) {
        for (int attempt = 0; ; attempt++) {
            try {
                client.publish(id, List.of(value));
                return;
            } catch (dev.registry.client.RegistryException e) {
                if (attempt > 200 || e.getMessage() == null || !e.getMessage().contains("UNAVAILABLE")) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }
}
