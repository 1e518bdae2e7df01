package dev.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registry.client.RegistryClient;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import dev.registry.data.DataServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 2000 publishers through 2 sessions; every data server in turn is stopped abruptly and
 * replaced by an empty one, then a fourth is added. Every push any subscriber receives after
 * it first saw the complete list must still contain every publisher (all stay alive).
 */
class DataServerChurnTest {
    private static final int IDS = 500;
    private static final int PUBLISHERS_PER_ID = 4;
    private TestCluster cluster;
    private final List<DataInfoId> ids = new ArrayList<>();
    private final List<RecordingObserver> observers = new ArrayList<>();

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private List<String> expected(int i) {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS_PER_ID; p++) {
            out.add("p" + p + ":" + i);
        }
        return out;
    }

    @Test
    void noLivePublisherIsLostOrMissingFromAnyPushThroughDataServerChurn() throws Exception {
        cluster = new TestCluster(3, 2);
        List<RegistryClient> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS_PER_ID; p++) {
            publishers.add(cluster.client(cluster.sessions.get(p % 2)));
        }
        RegistryClient subscriberA = cluster.client(cluster.sessions.get(0));
        RegistryClient subscriberB = cluster.client(cluster.sessions.get(1));
        for (int i = 0; i < IDS; i++) {
            DataInfoId id = DataInfoId.of("svc.churn." + i);
            ids.add(id);
            for (int p = 0; p < PUBLISHERS_PER_ID; p++) {
                publishers.get(p).publish(id, List.of("p" + p + ":" + i));
            }
            RecordingObserver o = new RecordingObserver();
            (i % 2 == 0 ? subscriberA : subscriberB).subscribe(id, o);
            observers.add(o);
        }
        awaitConverged();

        for (int round = 0; round < 3; round++) {
            DataServer victim = cluster.data.get(0);
            long start = System.nanoTime();
            cluster.stopDataServer(victim);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !cluster.meta.slotTable().servers().contains(victim.address()));
            cluster.awaitStable();
            awaitConverged();
            System.out.printf("round %d: stopped %s, all %d publishers served again after %d ms%n", round,
                    victim.address(), IDS * PUBLISHERS_PER_ID, (System.nanoTime() - start) / 1_000_000);
            DataServer fresh = cluster.addDataServer(); // a restart with an empty store
            cluster.awaitStable();
            awaitConverged();
            assertThat(cluster.meta.slotTable().servers()).contains(fresh.address());
        }

        Set<Integer> ledBefore = new HashSet<>();
        for (DataServer d : cluster.data) {
            ledBefore.addAll(cluster.meta.slotTable().slotsLedBy(d.address()));
        }
        DataServer fourth = cluster.addDataServer();
        cluster.awaitStable();
        awaitConverged();
        assertThat(cluster.meta.slotTable().slotsLedBy(fourth.address())).as("slots moved to the new server").isNotEmpty();
        assertThat(ledBefore).hasSize(TestCluster.SLOTS);

        // The data admin endpoint shows roles, counts and lag.
        HttpResponse<String> slots = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fourth.adminPort() + "/api/v1/slots")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode view = new ObjectMapper().readTree(slots.body());
        assertThat(view.get("slots").size()).isPositive();
        assertThat(view.get("slots").findValuesAsText("role")).contains("leader", "follower");

        assertNoPushMissedALivePublisher();
    }

    private void awaitConverged() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < IDS; i++) {
                assertThat(cluster.leaderDatum(ids.get(i)).values()).as(ids.get(i).toString())
                        .containsExactlyInAnyOrderElementsOf(expected(i));
                SubscriptionData last = observers.get(i).last();
                assertThat(last).isNotNull();
                assertThat(last.values()).containsExactlyInAnyOrderElementsOf(expected(i));
            }
        });
    }

    private void assertNoPushMissedALivePublisher() {
        for (int i = 0; i < IDS; i++) {
            RecordingObserver o = observers.get(i);
            boolean complete = false;
            for (SubscriptionData d : o.received) {
                if (complete) {
                    assertThat(d.values()).as("%s v%d", ids.get(i), d.version())
                            .containsExactlyInAnyOrderElementsOf(expected(i));
                }
                complete |= d.values().size() == PUBLISHERS_PER_ID;
            }
            assertThat(o.versionsIncrease()).isTrue();
        }
    }
}
