package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Subscriber;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriberRegistryTest {
    private static final DataInfoId ID = DataInfoId.of("svc");

    private static Subscriber sub(String registerId) {
        return new Subscriber(ID, registerId, "app", "10.0.0.1", "z", 1);
    }

    @Test
    void newSubscribersNeedAPushEvenOfVersionZero() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        r.add(sub("s1"), "conn1");
        assertThat(r.pushesNeeded(ID, 0)).containsExactly(new SubscriberRegistry.PushBatch<>("conn1", List.of("s1")));
    }

    @Test
    void pushesAreGroupedByConnection() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        r.add(sub("s1"), "conn1");
        r.add(sub("s2"), "conn1");
        r.add(sub("s3"), "conn2");
        List<SubscriberRegistry.PushBatch<String>> batches = r.pushesNeeded(ID, 5);
        assertThat(batches).extracting(SubscriberRegistry.PushBatch::connection).containsExactlyInAnyOrder("conn1", "conn2");
        assertThat(batches).filteredOn(b -> b.connection().equals("conn1")).singleElement()
                .satisfies(b -> assertThat(b.subscriberIds()).containsExactlyInAnyOrder("s1", "s2"));
        assertThat(batches).filteredOn(b -> b.connection().equals("conn2")).singleElement()
                .satisfies(b -> assertThat(b.subscriberIds()).containsExactly("s3"));
    }

    @Test
    void anAckedVersionIsNeverPushedAgainNorAnOlderOne() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        r.add(sub("s1"), "c");
        r.markPushed(ID, "c", List.of("s1"), 10);
        assertThat(r.pushesNeeded(ID, 10)).isEmpty();
        assertThat(r.pushesNeeded(ID, 9)).isEmpty();
        assertThat(r.pushesNeeded(ID, 11)).hasSize(1);
        r.markPushed(ID, "c", List.of("s1"), 7); // a late ack of an older push
        assertThat(r.pushesNeeded(ID, 10)).as("pushed version never goes back").isEmpty();
    }

    @Test
    void onlyVersionsNewerThanEveryAckedOneAreOfferedUnderRandomAcks() {
        Random random = new Random(7);
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        r.add(sub("s1"), "c");
        long maxAcked = -1;
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextInt(1000);
            boolean offered = !r.pushesNeeded(ID, v).isEmpty();
            assertThat(offered).isEqualTo(v > maxAcked);
            if (offered && random.nextBoolean()) {
                r.markPushed(ID, "c", List.of("s1"), v);
                maxAcked = Math.max(maxAcked, v);
            }
        }
    }

    @Test
    void aSubscriberThatMovedConnectionIsNotMarkedByTheOldOne() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        r.add(sub("s1"), "old");
        r.add(sub("s1"), "new");
        r.markPushed(ID, "old", List.of("s1"), 10);
        assertThat(r.pushesNeeded(ID, 10)).containsExactly(new SubscriberRegistry.PushBatch<>("new", List.of("s1")));
    }

    @Test
    void removingAConnectionDropsItsSubscribersOnly() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        r.add(sub("s1"), "c1");
        r.add(sub("s2"), "c2");
        assertThat(r.removeConnection("c1")).isEqualTo(1);
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.removeConnection("c2")).isEqualTo(1);
        assertThat(r.hasSubscribers(ID)).isFalse();
        assertThat(r.subscribedIds()).isEmpty();
    }

    @Test
    void aSubscriberHoldingAnEqualListIsAdvancedWithoutAPush() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        r.add(sub("acked"), "c1");
        r.add(sub("late"), "c2");
        r.add(sub("fresh"), "c3");
        assertThat(r.advanceUnchanged(ID, 10, 0xA)).as("the first version a round sees: nothing to compare").isZero();
        r.markPushed(ID, "c1", List.of("acked"), 10);
        r.markPushed(ID, "c2", List.of("late"), 9); // still on an older version
        // Version 11 has the same content as 10 (a publisher re-registered through another connection).
        assertThat(r.advanceUnchanged(ID, 11, 0xA)).isEqualTo(1);
        assertThat(r.pushesNeeded(ID, 11)).extracting(SubscriberRegistry.PushBatch::connection)
                .containsExactlyInAnyOrder("c2", "c3");
        // Version 12 changes the content: everybody behind it is pushed.
        assertThat(r.advanceUnchanged(ID, 12, 0xB)).isZero();
        assertThat(r.pushesNeeded(ID, 12)).hasSize(3);
        // A round of an older version (a slow fetch) changes nothing and is no reference.
        assertThat(r.advanceUnchanged(ID, 11, 0xA)).isZero();
        r.markPushed(ID, "c1", List.of("acked"), 12);
        assertThat(r.advanceUnchanged(ID, 13, 0xB)).isEqualTo(1);
        assertThat(r.pushesNeeded(ID, 13)).extracting(SubscriberRegistry.PushBatch::connection)
                .containsExactlyInAnyOrder("c2", "c3");
    }

    @Test
    void aSubscriberThatArrivedWithAVersionIsAdvancedFromIt() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        r.add(sub("s0"), "c0");
        r.advanceUnchanged(ID, 20, 0xC);
        r.add(sub("moved"), "c1", 20); // came from another session holding version 20
        assertThat(r.advanceUnchanged(ID, 21, 0xC)).isEqualTo(1);
        assertThat(r.pushesNeeded(ID, 21)).extracting(SubscriberRegistry.PushBatch::connection).containsExactly("c0");
    }

    @Test
    void pushStatesReportTheOldestAndNewestPushedVersionPerId() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        assertThat(r.pushState(ID)).isEqualTo(new SubscriberRegistry.PushState(0, -1, -1));
        r.add(sub("s1"), "conn1");
        r.add(sub("s2"), "conn2");
        assertThat(r.pushState(ID)).isEqualTo(new SubscriberRegistry.PushState(2, -1, -1));
        r.markPushed(ID, "conn1", List.of("s1"), 5);
        assertThat(r.pushState(ID)).isEqualTo(new SubscriberRegistry.PushState(2, -1, 5));
        assertThat(r.pushedVersions(ID)).containsEntry("s1", 5L).containsEntry("s2", -1L);
        r.markPushed(ID, "conn2", List.of("s2"), 5);
        assertThat(r.pushState(ID)).isEqualTo(new SubscriberRegistry.PushState(2, 5, 5));
        DataInfoId other = DataInfoId.of("other");
        r.add(new Subscriber(other, "s3", "app", "10.0.0.1", "z", 1), "conn1");
        assertThat(r.pushStates(id -> true)).containsOnlyKeys(ID, other);
        assertThat(r.pushStates(id -> id.equals(other))).containsOnlyKeys(other);
    }

    @Test
    void theHighestVersionPushedOfAnIdIsKeptWithoutAScan() {
        SubscriberRegistry<String> r = new SubscriberRegistry<>();
        assertThat(r.maxPushedVersion(ID)).isEqualTo(-1);
        r.add(sub("s1"), "conn1");
        r.add(sub("s2"), "conn2", 70); // moved from another session holding version 70
        assertThat(r.maxPushedVersion(ID)).isEqualTo(70);
        r.markPushed(ID, "conn1", List.of("s1"), 90);
        assertThat(r.maxPushedVersion(ID)).isEqualTo(90);
        r.markPushed(ID, "conn1", List.of("s1"), 80);
        assertThat(r.maxPushedVersion(ID)).as("never down").isEqualTo(90);
    }
}
