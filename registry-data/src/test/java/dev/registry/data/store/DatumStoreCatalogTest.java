package dev.registry.data.store;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.CatalogPage;
import dev.registry.common.protocol.CatalogQuery;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Catalog pages straight from the store: every matching id exactly once, in canonical order, page after page. */
class DatumStoreCatalogTest {
    private static final int SLOTS = 16;
    private final long[] now = {1_000};
    private final DatumStore store = new DatumStore(() -> now[0], SLOTS);
    private final List<Integer> allSlots = IntStream.range(0, SLOTS).boxed().toList();

    private void publish(DataInfoId id, String registerId) {
        now[0]++;
        store.put(store.slotOf(id), new Publisher(id, registerId, 1, List.of("v"), "app", "10.0.0.1", "z", 1L, "s", "c"));
    }

    @Test
    void pagesWalkEveryMatchingIdOnceInOrderWhateverTheLimit() {
        Random random = new Random(7);
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < 1_000; i++) {
            String group = random.nextInt(4) == 0 ? "G1" : "G2";
            DataInfoId id = DataInfoId.of("svc-" + Integer.toString(random.nextInt(1_000_000), 36), group, null);
            publish(id, "r" + i);
            if (group.equals("G1")) {
                expected.add(id.canonical());
            }
        }
        for (int limit : new int[] {1, 7, 50, 1_000}) {
            List<String> seen = new ArrayList<>();
            String after = null;
            int pages = 0;
            CatalogPage page;
            do {
                page = store.catalog(allSlots, new CatalogQuery("G1", null, null, after, limit));
                assertThat(page.ids().size()).isLessThanOrEqualTo(limit);
                page.ids().forEach(id -> seen.add(id.canonical()));
                after = page.ids().isEmpty() ? null : page.ids().get(page.ids().size() - 1).canonical();
                pages++;
            } while (page.more() && after != null && pages < 2_000);
            assertThat(seen).as("limit " + limit).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void eachIdComesWithItsPublisherCountAndLastChange() {
        DataInfoId a = DataInfoId.of("a");
        DataInfoId b = DataInfoId.of("b");
        publish(a, "r1");
        long aChanged = now[0];
        publish(b, "r2");
        publish(b, "r3");
        long bChanged = now[0];
        CatalogPage page = store.catalog(allSlots, new CatalogQuery(null, null, null, null, 10));
        assertThat(page.entries()).containsExactly(new CatalogPage.Entry(a, 1, aChanged), new CatalogPage.Entry(b, 2, bChanged));
        assertThat(page.more()).isFalse();
    }
}
