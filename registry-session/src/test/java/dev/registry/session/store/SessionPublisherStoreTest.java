package dev.registry.session.store;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.slot.SlotHash;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SessionPublisherStoreTest {
    private static final int SLOTS = 16;

    private static Publisher publisher(String dataId, String registerId, long version, String ip, String connection) {
        return new Publisher(DataInfoId.of(dataId), registerId, version, List.of("v" + version), "app", ip, "z",
                1, "s1", connection);
    }

    @Test
    void eachSlotListsExactlyThePublishersWhoseIdFallsInIt() {
        SessionPublisherStore store = new SessionPublisherStore(SLOTS);
        List<Publisher> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Publisher p = publisher("svc." + (i % 37), "r" + i, 1, "10.0.0." + (i % 3), "c" + (i % 5));
            all.add(p);
            assertThat(store.put(p)).isEqualTo(SessionPublisherStore.PutOutcome.ADDED);
        }
        assertThat(store.size()).isEqualTo(500);
        int seen = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            for (Publisher p : store.desiredInSlot(slot)) {
                assertThat(SlotHash.slotOf(p.dataInfoId(), SLOTS)).isEqualTo(slot);
                seen++;
            }
        }
        assertThat(seen).isEqualTo(500);
        assertThat(store.publishersOf(DataInfoId.of("svc.3"))).hasSize((int) all.stream()
                .filter(p -> p.dataInfoId().dataId().equals("svc.3")).count());
    }

    @Test
    void updatesRemovalsAndConnectionsKeepTheCountAndTheSlotsInStep() {
        SessionPublisherStore store = new SessionPublisherStore(SLOTS);
        store.put(publisher("a", "r1", 1, "10.0.0.1", "c1"));
        store.put(publisher("a", "r2", 1, "10.0.0.1", "c1"));
        store.put(publisher("b", "r3", 1, "10.0.0.2", "c2"));
        assertThat(store.put(publisher("a", "r1", 2, "10.0.0.1", "c1"))).isEqualTo(SessionPublisherStore.PutOutcome.UPDATED);
        assertThat(store.put(publisher("a", "r1", 1, "10.0.0.1", "c1"))).isEqualTo(SessionPublisherStore.PutOutcome.STALE);
        assertThat(store.size()).isEqualTo(3);

        // The same registerId from a new connection moves it there.
        store.put(publisher("b", "r3", 2, "10.0.0.2", "c3"));
        assertThat(store.removeConnection("c2")).isEmpty();
        assertThat(store.remove(new PublisherKey(DataInfoId.of("a"), "r2"), "other")).isNull();
        assertThat(store.remove(new PublisherKey(DataInfoId.of("a"), "r2"), "c1")).isNotNull();
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.removeConnection("c1")).extracting(Publisher::registerId).containsExactly("r1");
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.connectionCount()).isEqualTo(1);
        int slotB = SlotHash.slotOf(DataInfoId.of("b"), SLOTS);
        assertThat(store.desiredInSlot(slotB)).extracting(Publisher::version).containsExactly(2L);
    }

    @Test
    void clientOffIpsAreHeldButNotDesired() {
        SessionPublisherStore store = new SessionPublisherStore(SLOTS);
        store.put(publisher("a", "r1", 1, "10.0.0.1", "c1"));
        store.put(publisher("a", "r2", 1, "10.0.0.2", "c2"));
        assertThat(store.setIpOff("10.0.0.1", true)).extracting(Publisher::registerId).containsExactly("r1");
        int slot = SlotHash.slotOf(DataInfoId.of("a"), SLOTS);
        Set<String> desired = new HashSet<>();
        store.desiredInSlot(slot).forEach(p -> desired.add(p.registerId()));
        assertThat(desired).containsExactly("r2");
        assertThat(store.desired(new PublisherKey(DataInfoId.of("a"), "r1"))).isNull();
        assertThat(store.get(new PublisherKey(DataInfoId.of("a"), "r1"))).isNotNull();
        store.setIpOff("10.0.0.1", false);
        assertThat(store.desiredInSlot(slot)).hasSize(2);
    }

    @Test
    void aSlotsSummaryIsTheCountAndFingerprintXorOfItsPublishers() {
        SessionPublisherStore store = new SessionPublisherStore(SLOTS);
        for (int i = 0; i < 200; i++) {
            store.put(publisher("svc." + (i % 23), "r" + i, 1, "10.0.0.1", "c" + (i % 4)));
        }
        store.put(publisher("svc.1", "r1", 5, "10.0.0.1", "c1")); // update
        store.remove(new PublisherKey(DataInfoId.of("svc.2"), "r2"), null);
        store.removeConnection("c3");
        for (int slot = 0; slot < SLOTS; slot++) {
            long xor = 0;
            List<Publisher> held = store.desiredInSlot(slot);
            for (Publisher p : held) {
                xor ^= p.syncFingerprint();
            }
            assertThat(store.slotSummary(slot)).containsExactly(held.size(), xor);
        }
        store.setIpOff("10.0.0.1", true);
        assertThat(store.slotSummary(0)).as("client-off: only the full digest is exact").isNull();
    }
}
