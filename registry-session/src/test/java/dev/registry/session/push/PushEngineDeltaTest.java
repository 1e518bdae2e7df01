package dev.registry.session.push;

import dev.registry.common.model.ContentFingerprint;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Subscriber;
import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.PushDeltas;
import dev.registry.common.protocol.ZoneSplice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The push engine's delta pushes against a fake slot leader: full list first, then deltas to
 * connections that take them (full lists to those that do not), and a client's resync answer
 * brings the full list at once.
 */
class PushEngineDeltaTest {
    private static final String PAD = "x".repeat(100);
    private final DataInfoId id = DataInfoId.of("com.example.Delta");
    /** Version v: 50 values, of which value number v % 50 is "changed-v". */
    private final FakeSlotLeader leader = new FakeSlotLeader(PushEngineDeltaTest::valuesAt, 3);

    static LinkedHashMap<String, ArrayList<String>> valuesAt(long v) {
        ArrayList<String> values = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            values.add(i == v % 50 ? "changed-" + v + PAD : "10.0.0." + i + ":80" + PAD);
        }
        LinkedHashMap<String, ArrayList<String>> byZone = new LinkedHashMap<>();
        byZone.put("zone-a", values);
        return byZone;
    }

    @AfterEach
    void stop() {
        leader.close();
    }

    private void publishVersion(long v) {
        leader.version.set(v);
        leader.engine.onNotice(id, v);
    }

    @Test
    void deltasGoToClientsThatTakeThemAndFullListsToTheOthers() {
        ClientModel takesDeltas = new ClientModel("deltas", true);
        ClientModel fullOnly = new ClientModel("full", false);
        leader.subscribers.add(new Subscriber(id, "s1", "app", "10.0.0.9", "zone-a", 1L), takesDeltas);
        leader.subscribers.add(new Subscriber(id, "s2", "app", "10.0.0.9", "zone-a", 1L), fullOnly);
        publishVersion(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> takesDeltas.version == 1 && fullOnly.version == 1);
        for (long v = 2; v <= 6; v++) {
            publishVersion(v);
            long want = v;
            await().atMost(Duration.ofSeconds(10)).until(() -> takesDeltas.version == want && fullOnly.version == want);
            assertThat(takesDeltas.zones).isEqualTo(valuesAt(v));
            assertThat(fullOnly.zones).isEqualTo(valuesAt(v));
        }
        assertThat(takesDeltas.kinds).containsExactly("full", "delta", "delta", "delta", "delta", "delta");
        assertThat(fullOnly.kinds).containsOnly("full").hasSize(6);
        assertThat(leader.engine.deltaPushes()).isEqualTo(5);
        assertThat(leader.engine.deltaResyncs()).isZero();
    }

    @Test
    void aClientThatCannotApplyADeltaGetsTheFullListAtOnce() {
        ClientModel client = new ClientModel("c", true);
        leader.subscribers.add(new Subscriber(id, "s1", "app", "10.0.0.9", "zone-a", 1L), client);
        publishVersion(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.version == 1);
        client.forget(); // e.g. a restarted client process that the session still thinks holds v1
        publishVersion(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.version == 2);
        assertThat(client.kinds).containsExactly("full", "delta", "full");
        assertThat(client.zones).isEqualTo(valuesAt(2));
        assertThat(leader.engine.deltaResyncs()).isEqualTo(1);
        publishVersion(3); // and deltas resume from the full list
        await().atMost(Duration.ofSeconds(10)).until(() -> client.version == 3);
        assertThat(client.kinds).endsWith("delta");
    }

    /** A client as the registry client behaves: applies deltas to what it holds, answers resync when it cannot. */
    private static final class ClientModel extends StubPushTarget {
        final boolean deltas;
        final List<String> kinds = new CopyOnWriteArrayList<>();
        volatile long version;
        volatile Map<String, List<String>> zones;

        ClientModel(String id, boolean deltas) {
            super(id);
            this.deltas = deltas;
        }

        synchronized void forget() {
            version = 0;
            zones = null;
        }

        @Override
        public boolean acceptsDeltas() {
            return deltas;
        }

        @Override
        public synchronized CompletableFuture<?> push(DataInfoId dataInfoId, long v, List<String> subscriberIds,
                                                      LinkedHashMap<String, ArrayList<String>> valuesByZone,
                                                      Duration timeout) {
            kinds.add("full");
            zones = new LinkedHashMap<>(valuesByZone);
            version = v;
            return CompletableFuture.completedFuture(new PushAck(v));
        }

        @Override
        public synchronized CompletableFuture<?> pushDelta(DataInfoId dataInfoId, long v, List<String> subscriberIds,
                                                           long baseVersion, long fingerprint, List<ZoneSplice> splices,
                                                           Duration timeout) {
            kinds.add("delta");
            if (zones == null || version != baseVersion) {
                return CompletableFuture.completedFuture(PushAck.resync(v));
            }
            Map<String, List<String>> next = PushDeltas.apply(zones, splices);
            assertThat(ContentFingerprint.of(next)).isEqualTo(fingerprint);
            zones = next;
            version = v;
            return CompletableFuture.completedFuture(new PushAck(v));
        }

    }
}
