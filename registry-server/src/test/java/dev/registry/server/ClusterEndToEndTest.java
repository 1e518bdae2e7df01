package dev.registry.server;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryException;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.data.DataServer;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** 1 meta, 3 data, 2 sessions on real sockets; clients on different sessions. */
class ClusterEndToEndTest {
    /** "Within a second" in production; slack for a loaded 2-core CI machine (the benchmark measures). */
    private static final Duration PUSH_BOUND = Duration.ofSeconds(3);

    private TestCluster cluster;
    private SessionServer sessionA;
    private SessionServer sessionB;

    @BeforeEach
    void startCluster() {
        cluster = new TestCluster(3, 2);
        sessionA = cluster.sessions.get(0);
        sessionB = cluster.sessions.get(1);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void publishThroughSessionAReachesSubscriberOnSessionB() {
        DataInfoId id = DataInfoId.of("com.example.Orders", "PROD", null);
        RecordingObserver observer = new RecordingObserver();
        cluster.client(sessionB).subscribe(id, observer);
        await().atMost(PUSH_BOUND).until(() -> observer.last() != null);
        assertThat(observer.last().values()).isEmpty();

        cluster.client(sessionA).publish(id, List.of("10.0.0.1:8080"));

        await().atMost(PUSH_BOUND).until(() -> List.of("10.0.0.1:8080").equals(observer.lastValues()));
        assertThat(observer.versionsIncrease()).isTrue();
    }

    @Test
    void updateAndUnregisterArePushed() {
        DataInfoId id = DataInfoId.of("svc.update");
        RecordingObserver observer = new RecordingObserver();
        cluster.client(sessionB).subscribe(id, observer);
        Publication p = cluster.client(sessionA).publish(id, List.of("a:1"));
        await().atMost(PUSH_BOUND).until(() -> List.of("a:1").equals(observer.lastValues()));

        p.update(List.of("a:2", "a:3"));
        await().atMost(PUSH_BOUND).until(() -> List.of("a:2", "a:3").equals(observer.lastValues()));

        p.unregister();
        await().atMost(PUSH_BOUND).until(() -> observer.lastValues().isEmpty());
        assertThat(observer.versionsIncrease()).isTrue();
        assertThat(cluster.leaderDatum(id).publishers()).isEmpty();
    }

    @Test
    void closingThePublishersClientRemovesItsPublisherFromSubscribers() {
        DataInfoId id = DataInfoId.of("svc.close");
        RecordingObserver observer = new RecordingObserver();
        cluster.client(sessionB).subscribe(id, observer);
        RegistryClient publisher = cluster.client(sessionA);
        publisher.publish(id, List.of("p:1"));
        cluster.client(sessionB).publish(id, List.of("q:1"));
        await().atMost(PUSH_BOUND).until(() -> observer.lastValues().size() == 2);

        publisher.close();

        await().atMost(PUSH_BOUND).until(() -> List.of("q:1").equals(observer.lastValues()));
        assertThat(sessionA.publishers().size()).isZero();
    }

    @Test
    void subscriberRegisteredAfterThePublishGetsTheCurrentListAtOnce() {
        DataInfoId id = DataInfoId.of("svc.late");
        cluster.client(sessionA).publish(id, List.of("x:1"));
        RecordingObserver observer = new RecordingObserver();

        cluster.client(sessionB).subscribe(id, observer);

        await().atMost(PUSH_BOUND).until(() -> observer.last() != null);
        assertThat(observer.received).hasSize(1);
        assertThat(observer.last().values()).containsExactly("x:1");
    }

    @Test
    void valuesAreGroupedByPublisherZone() {
        DataInfoId id = DataInfoId.of("svc.zones");
        RecordingObserver observer = new RecordingObserver();
        cluster.client(sessionB).subscribe(id, observer);
        try (RegistryClient zoneA = RegistryClient.start(dev.registry.client.RegistryClientConfig
                .builder("127.0.0.1:" + sessionA.port()).zone("zone-a").build());
             RegistryClient zoneB = RegistryClient.start(dev.registry.client.RegistryClientConfig
                     .builder("127.0.0.1:" + sessionA.port()).zone("zone-b").build())) {
            zoneA.publish(id, List.of("a:1"));
            zoneB.publish(id, List.of("b:1"));
            await().atMost(PUSH_BOUND).until(() -> observer.lastValues().size() == 2);
            Map<String, List<String>> byZone = observer.last().valuesByZone();
            assertThat(byZone).containsEntry("zone-a", List.of("a:1")).containsEntry("zone-b", List.of("b:1"));
            assertThat(observer.last().preferZone("zone-b")).containsExactly("b:1");
            assertThat(observer.last().preferZone("zone-c")).containsExactlyInAnyOrder("a:1", "b:1");
        }
    }

    @Test
    void writesRacingSlotTableChangesAreRetriedNotLost() throws Exception {
        RegistryClient client = cluster.client(sessionA);
        int count = 150;
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<List<Publication>> published = writer.submit(() -> {
                List<Publication> out = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    out.add(client.publish(DataInfoId.of("svc.race." + i), List.of("v:" + i)));
                }
                return out;
            });
            // Change the slot table twice while the writes are in flight: a join and a leave.
            DataServer joined = cluster.addDataServer();
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.meta.dataServers().contains(joined.address()));
            cluster.stopDataServer(cluster.data.get(0));
            List<Publication> pubs = published.get(60, TimeUnit.SECONDS);
            assertThat(pubs).hasSize(count);
        } finally {
            writer.shutdownNow();
        }
        cluster.awaitStable();
        // Every publisher is held by its slot's current leader: nothing was lost in the moves.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (int i = 0; i < count; i++) {
                Datum d = cluster.leaderDatum(DataInfoId.of("svc.race." + i));
                assertThat(d.publishers()).as("svc.race." + i).extracting(Publisher::values)
                        .containsExactly(List.of("v:" + i));
            }
        });
    }

    @Test
    void invalidRegistrationsGetAClearErrorAndTheSessionKeepsServing() {
        RegistryClient client = cluster.client(sessionA);
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            tooMany.add("v" + i);
        }
        assertThatThrownBy(() -> client.publish(DataInfoId.of("svc.bad"), tooMany))
                .isInstanceOf(RegistryException.class).hasMessageContaining("at most");
        assertThatThrownBy(() -> DataInfoId.of("bad#@#id")).isInstanceOf(IllegalArgumentException.class);

        RecordingObserver observer = new RecordingObserver();
        cluster.client(sessionB).subscribe(DataInfoId.of("svc.bad"), observer);
        client.publish(DataInfoId.of("svc.bad"), List.of("ok:1"));
        await().atMost(PUSH_BOUND).until(() -> List.of("ok:1").equals(observer.lastValues()));
    }
    @Test
    void asynchronousPublishesKeepManyInFlightOnOneConnectionAndWithdrawRefusedOnes() throws Exception {
        RegistryClient client = RegistryClient.start(dev.registry.client.RegistryClientConfig
                .builder("127.0.0.1:" + sessionA.port()).appName("async").maxPendingRegistrations(16).build());
        try {
            List<java.util.concurrent.CompletableFuture<Publication>> futures = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                futures.add(client.publishAsync(DataInfoId.of("svc.async." + (i % 20)), List.of("10.1.0." + i + ":80")));
            }
            java.util.concurrent.CompletableFuture<Publication> refused = client.publishAsync(DataInfoId.of("svc.async.0"),
                    List.of("x".repeat(16 * 1024 + 1)));
            java.util.concurrent.CompletableFuture.allOf(futures.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                    .get(30, TimeUnit.SECONDS);
            assertThat(futures).allMatch(f -> f.join().registerId() != null);
            assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RegistryException.class)
                    .hasMessageContaining("at most");
            for (int id = 0; id < 20; id++) {
                assertThat(cluster.leaderDatum(DataInfoId.of("svc.async." + id)).publishers()).hasSize(20);
            }
            assertThat(sessionA.publishers().publishersOf(DataInfoId.of("svc.async.0"))).hasSize(20);
        } finally {
            client.close();
        }
    }
}
