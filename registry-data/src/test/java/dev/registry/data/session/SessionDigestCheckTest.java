package dev.registry.data.session;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SessionSlotDigestRequest.Key;
import dev.registry.common.protocol.SessionSlotDigestResponse;
import dev.registry.data.store.DatumStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionDigestCheckTest {
    private static final Function<DataInfoId, DataInfoId> ANY = id -> id;

    private static Publisher publisher(String id, String registerId, long version) {
        return new Publisher(DataInfoId.of(id), registerId, version, List.of("v"), "app", "10.0.0.1", "z", 1,
                "s1", "c1");
    }

    private static Map<DatumStore.PublisherRef, Publisher> held(Publisher... ps) {
        Map<DatumStore.PublisherRef, Publisher> m = new LinkedHashMap<>();
        for (Publisher p : ps) {
            m.put(new DatumStore.PublisherRef(p.dataInfoId(), p.registerId()), p);
        }
        return m;
    }

    private static SessionSlotDigestRequest digest(Publisher... listed) {
        ArrayList<DataInfoId> ids = new ArrayList<>();
        ArrayList<String> rids = new ArrayList<>();
        ArrayList<String> stamps = new ArrayList<>();
        for (Publisher p : listed) {
            ids.add(p.dataInfoId());
            rids.add(p.registerId());
            stamps.add(p.syncStamp());
        }
        return new SessionSlotDigestRequest(1, 0, "s1", ids, rids, stamps);
    }

    private static Key key(String id, String registerId) {
        return new Key(DataInfoId.of(id), registerId);
    }

    @Test
    void aPageAnswersNeededAndExtrasWithinItsRangeOnly() {
        Publisher a = publisher("a", "r1", 1);
        Publisher b = publisher("b", "r1", 1);
        Publisher c = publisher("c", "r1", 1);
        Publisher d = publisher("d", "r1", 1);
        // The leader holds a (stale), c and d; the session holds a (v2) and b. Page [a, c): a, b.
        Map<DatumStore.PublisherRef, Publisher> leader = held(publisher("a", "r1", 1), c, d);
        SessionSlotDigestRequest first = digest(publisher("a", "r1", 2), b).page(null, key("c", "r1"));
        SessionSlotDigestResponse answer = SessionDigestCheck.compare(first, leader, ANY);
        assertThat(answer.needed()).containsExactly(0, 1);
        assertThat(answer.extraIds()).as("c and d lie beyond this page").isEmpty();

        SessionSlotDigestResponse last = SessionDigestCheck.compare(digest().page(key("c", "r1"), null), leader, ANY);
        assertThat(last.extraIds()).containsExactly(c.dataInfoId(), d.dataInfoId());
        assertThat(last.extrasTruncated()).isFalse();

        SessionSlotDigestResponse whole = SessionDigestCheck.compare(digest(a, b), leader, ANY);
        assertThat(whole.needed()).containsExactly(1);
        assertThat(whole.extraIds()).containsExactly(c.dataInfoId(), d.dataInfoId());
    }

    @Test
    void extrasAreCappedPerAnswer() {
        Publisher[] many = new Publisher[SessionDigestCheck.MAX_EXTRAS + 10];
        for (int i = 0; i < many.length; i++) {
            many[i] = publisher("svc", "r" + i, 1);
        }
        SessionSlotDigestResponse answer = SessionDigestCheck.compare(digest(), held(many), ANY);
        assertThat(answer.extraIds()).hasSize(SessionDigestCheck.MAX_EXTRAS);
        assertThat(answer.extrasTruncated()).isTrue();
    }

    @Test
    void aPageListingOutsideItsRangeOrMalformedIsRefused() {
        SessionSlotDigestRequest outside = digest(publisher("z", "r1", 1)).page(null, key("c", "r1"));
        assertThatThrownBy(() -> SessionDigestCheck.compare(outside, held(), ANY)).hasMessageContaining("outside");
        SessionSlotDigestRequest broken = new SessionSlotDigestRequest(1, 0, "s1", new ArrayList<>(List.of(DataInfoId.of("a"))),
                new ArrayList<>(), new ArrayList<>());
        assertThatThrownBy(() -> SessionDigestCheck.compare(broken, held(), ANY)).hasMessageContaining("parallel");
        assertThatThrownBy(() -> SessionDigestCheck.compare(digest(publisher("a", "r1", 1)), held(),
                id -> { throw new IllegalArgumentException("slot"); })).hasMessageContaining("slot");
    }
}
