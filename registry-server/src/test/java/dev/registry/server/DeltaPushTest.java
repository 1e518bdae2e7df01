package dev.registry.server;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delta pushes on a real cluster: a subscriber of an id with many publishers gets, after the
 * first full list, only what changed, and always ends up with exactly the publishers' values;
 * a subscriber that comes back after its session died gets the full list again.
 */
class DeltaPushTest {
    private static final String PAD = "?weight=100&warmup=600000&startTime=1700000000000&dubbo=2.0.2&application=orders";
    private TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void changesAmongManyPublishersArriveAsDeltasAndTheListStaysExact() throws Exception {
        cluster = new TestCluster(2, 2);
        SessionServer subscriberSession = cluster.sessions.get(1);
        cluster.sessions.forEach(session -> session.pushEngine().setDeltas(true)); // on by default; set explicitly so the test does not depend on it
        DataInfoId id = DataInfoId.of("svc.delta");
        RegistryClient publisherClient = cluster.client(cluster.sessions.get(0));
        List<Publication> pubs = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String v = "10.0.0." + i + ":8080" + PAD;
            pubs.add(publisherClient.publish(id, List.of(v)));
            values.add(v);
        }
        RecordingObserver observer = new RecordingObserver();
        RegistryClient subscriber = cluster.client(subscriberSession);
        subscriber.subscribe(id, observer);
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.lastValues() != null
                && new HashSet<>(observer.lastValues()).equals(new HashSet<>(values)));
        long deltasBefore = subscriberSession.pushEngine().deltaPushes();

        Random random = new Random(3);
        int changes = 0;
        for (int round = 0; round < 40; round++) {
            int i = random.nextInt(pubs.size());
            String v = "10.1." + round + "." + i + ":8080" + PAD;
            pubs.get(i).update(List.of(v));
            values.set(i, v);
            changes++;
            if (round % 10 == 9) { // now and then a publisher leaves and a new one comes
                int gone = random.nextInt(pubs.size());
                pubs.remove(gone).unregister();
                values.remove(gone);
                String fresh = "10.2." + round + ".1:8080" + PAD;
                pubs.add(publisherClient.publish(id, List.of(fresh)));
                values.add(fresh);
                changes += 2;
            }
            Set<String> want = new HashSet<>(values);
            await().atMost(Duration.ofSeconds(10)).until(() -> new HashSet<>(observer.lastValues()).equals(want));
            assertThat(observer.lastValues()).hasSize(values.size()); // no duplicates, nothing missing
        }
        assertThat(changes).isGreaterThanOrEqualTo(48);
        long deltas = subscriberSession.pushEngine().deltaPushes() - deltasBefore;
        // Every round of a change is a delta (merged rounds fewer); the full list went once.
        assertThat(deltas).as("delta pushes").isGreaterThanOrEqualTo(20);
        assertThat(subscriberSession.pushEngine().deltaResyncs()).isZero();
        assertThat(subscriber.deltaResyncs()).isZero();
        assertThat(subscriber.olderPushesDropped()).isZero();
        // What a delta push delivers is the same list, in the same order, as a full push of that version.
        RecordingObserver fresh = new RecordingObserver();
        cluster.client(subscriberSession).subscribe(id, fresh);
        await().atMost(Duration.ofSeconds(10)).until(() -> fresh.last() != null
                && fresh.last().version() == observer.last().version());
        assertThat(fresh.last().values()).isEqualTo(observer.last().values());
        assertThat(fresh.last().valuesByZone()).isEqualTo(observer.last().valuesByZone());
    }
}
