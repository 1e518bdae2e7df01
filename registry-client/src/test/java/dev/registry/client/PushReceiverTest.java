package dev.registry.client;

import dev.registry.common.model.ContentFingerprint;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.protocol.ZoneSplice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

class PushReceiverTest {
    private static final DataInfoId ID = DataInfoId.of("com.example.Orders");

    private final Map<String, SubscriptionImpl> subscriptions = new ConcurrentHashMap<>();
    private final LongAdder olderPushesDropped = new LongAdder();
    private final PushReceiver receiver = new PushReceiver(subscriptions);
    private final List<SubscriptionData> delivered = new CopyOnWriteArrayList<>();

    private SubscriptionImpl subscription(String registerId) {
        SubscriptionImpl s = new SubscriptionImpl(ID, registerId, delivered::add, olderPushesDropped, () -> { });
        subscriptions.put(registerId, s);
        return s;
    }

    private static PushRequest full(long version, String... subscriberIds) {
        LinkedHashMap<String, ArrayList<String>> zones = new LinkedHashMap<>();
        zones.put("z1", new ArrayList<>(List.of("a:1", "b:1")));
        zones.put("z2", new ArrayList<>(List.of("c:1")));
        return new PushRequest(ID, version, new ArrayList<>(List.of(subscriberIds)), zones);
    }

    /** Version 1's z1 list with b:1 replaced by b:2, as a delta from {@code base}. */
    private static PushRequest delta(long base, long version, String... subscriberIds) {
        LinkedHashMap<String, List<String>> after = new LinkedHashMap<>();
        after.put("z1", List.of("a:1", "b:2"));
        after.put("z2", List.of("c:1"));
        long fingerprint = ContentFingerprint.of(after);
        return PushRequest.delta(ID, version, new ArrayList<>(List.of(subscriberIds)), base, fingerprint,
                List.of(new ZoneSplice("z1", 1, 1, List.of("b:2"))));
    }

    @Test
    void fullPushIsDeliveredInZoneOrderAndAcked() {
        SubscriptionImpl s = subscription("s1");

        Object ack = receiver.onPush(null, full(1, "s1", "unknown"));

        assertThat(((PushAck) ack).version()).isEqualTo(1);
        assertThat(((PushAck) ack).resync()).isFalse();
        assertThat(s.current()).hasValueSatisfying(d -> {
            assertThat(d.values()).containsExactly("a:1", "b:1", "c:1");
            assertThat(d.valuesByZone()).containsEntry("z2", List.of("c:1"));
        });
    }

    @Test
    void deltaOnTheHeldVersionIsAppliedWithoutResync() {
        SubscriptionImpl s = subscription("s1");
        receiver.onPush(null, full(1, "s1"));

        PushAck ack = (PushAck) receiver.onPush(null, delta(1, 2, "s1"));

        assertThat(ack.resync()).isFalse();
        assertThat(s.current().orElseThrow().version()).isEqualTo(2);
        assertThat(s.current().orElseThrow().values()).containsExactly("a:1", "b:2", "c:1");
        assertThat(receiver.deltaResyncs()).isZero();
    }

    @Test
    void deltaOnAnotherBaseAsksForResyncOnceAndDeliversNothing() {
        SubscriptionImpl held = subscription("s1");
        subscription("s2"); // holds nothing yet
        receiver.onPush(null, full(1, "s1"));

        PushAck ack = (PushAck) receiver.onPush(null, delta(1, 2, "s1", "s2"));

        assertThat(ack.resync()).isTrue();
        assertThat(receiver.deltaResyncs()).isEqualTo(1);
        assertThat(held.current().orElseThrow().version()).isEqualTo(2);
        assertThat(subscriptions.get("s2").current()).isEmpty();
    }

    @Test
    void deltaWhoseFingerprintDoesNotMatchAsksForResync() {
        SubscriptionImpl s = subscription("s1");
        receiver.onPush(null, full(1, "s1"));
        PushRequest wrong = PushRequest.delta(ID, 2, new ArrayList<>(List.of("s1")), 1, 42,
                List.of(new ZoneSplice("z1", 1, 1, List.of("b:2"))));

        assertThat(((PushAck) receiver.onPush(null, wrong)).resync()).isTrue();
        assertThat(s.current().orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void olderPushIsCountedAndNeverDeliveredARepeatedOneIsIgnored() {
        subscription("s1");
        receiver.onPush(null, full(5, "s1"));
        receiver.onPush(null, full(5, "s1"));
        receiver.onPush(null, full(3, "s1"));

        assertThat(delivered).extracting(SubscriptionData::version).containsExactly(5L);
        assertThat(olderPushesDropped.sum()).isEqualTo(1);
    }
}
