package dev.registry.common.protocol;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushDeltasTest {

    private static LinkedHashMap<String, List<String>> zones(Object... zoneThenValues) {
        LinkedHashMap<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < zoneThenValues.length; i += 2) {
            out.put((String) zoneThenValues[i], (List<String>) zoneThenValues[i + 1]);
        }
        return out;
    }

    private static List<String> values(int n, String prefix) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i + ":8080?weight=100&warmup=10000&timestamp=1700000000000");
        }
        return out;
    }

    @Test
    void oneChangedPublisherAmongManyIsOneValueOnTheWire() {
        List<String> before = values(200, "10.0.0.");
        List<String> after = new ArrayList<>(before);
        after.set(57, "10.9.9.9:8080");
        List<ZoneSplice> delta = PushDeltas.between(zones("z", before), zones("z", after)).orElseThrow();
        assertThat(delta).containsExactly(new ZoneSplice("z", 57, 1, List.of("10.9.9.9:8080")));
        assertThat(PushDeltas.apply(zones("z", before), delta)).isEqualTo(zones("z", after));
    }

    @Test
    void addedRemovedAndNewOrVanishedZones() {
        List<String> a = values(100, "a");
        List<String> b = values(100, "b");
        List<String> aMinusOne = new ArrayList<>(a);
        aMinusOne.remove(0);
        List<String> bPlusOne = new ArrayList<>(b);
        bPlusOne.add("b-new");
        // Zone a loses its first value, zone b gains one at its end, zone c is new.
        Map<String, List<String>> from = zones("a", a, "b", b);
        Map<String, List<String>> to = zones("a", aMinusOne, "b", bPlusOne, "c", List.of("c0"));
        List<ZoneSplice> delta = PushDeltas.between(from, to).orElseThrow();
        assertThat(delta).containsExactly(new ZoneSplice("a", 0, 1, List.of()),
                new ZoneSplice("b", 100, 0, List.of("b-new")), new ZoneSplice("c", 0, 0, List.of("c0")));
        assertThat(PushDeltas.apply(from, delta)).isEqualTo(to).containsOnlyKeys("a", "b", "c");
        // Zone a vanishes.
        Map<String, List<String>> gone = zones("b", b);
        List<ZoneSplice> drop = PushDeltas.between(from, gone).orElseThrow();
        assertThat(drop).containsExactly(new ZoneSplice("a", 0, 100, List.of()));
        assertThat(PushDeltas.apply(from, drop)).isEqualTo(gone).containsOnlyKeys("b");
    }

    @Test
    void declinesWhenTheZoneOrderChangesOrTheDeltaIsNotSmaller() {
        List<String> a = values(50, "a");
        List<String> b = values(50, "b");
        assertThat(PushDeltas.between(zones("a", a, "b", b), zones("b", b, "a", a))).isEmpty();
        // A new zone before an old one: a splice appends, so it could not express this order.
        assertThat(PushDeltas.between(zones("a", a), zones("n", List.of("x"), "a", a))).isEmpty();
        // Every value changed: the delta would be the full list.
        assertThat(PushDeltas.between(zones("a", a), zones("a", values(50, "x")))).isEmpty();
        // Nothing changed: an empty delta.
        assertThat(PushDeltas.between(zones("a", a), zones("a", a))).contains(List.of());
    }

    @Test
    void applyRefusesASpliceThatDoesNotFitTheBase() {
        Map<String, List<String>> base = zones("z", List.of("a", "b"));
        assertThatThrownBy(() -> PushDeltas.apply(base, List.of(new ZoneSplice("z", 3, 0, List.of("x")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> PushDeltas.apply(base, List.of(new ZoneSplice("z", 1, 2, List.of()))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(base).isEqualTo(zones("z", List.of("a", "b"))); // untouched
    }

    /** Random edits, duplicates included: whenever a delta is offered, applying it gives exactly the new lists. */
    @Test
    void applyingAnOfferedDeltaAlwaysGivesExactlyTheNewList() {
        Random random = new Random(42);
        int offered = 0;
        for (int round = 0; round < 5_000; round++) {
            LinkedHashMap<String, List<String>> from = new LinkedHashMap<>();
            int zoneCount = 1 + random.nextInt(3);
            for (int z = 0; z < zoneCount; z++) {
                List<String> list = new ArrayList<>();
                int n = random.nextInt(40);
                for (int i = 0; i < n; i++) {
                    list.add("v" + random.nextInt(30) + "-" + "x".repeat(random.nextInt(40)));
                }
                if (!list.isEmpty()) {
                    from.put("zone" + z, list);
                }
            }
            LinkedHashMap<String, List<String>> to = new LinkedHashMap<>();
            from.forEach((zone, list) -> {
                List<String> changed = new ArrayList<>(list);
                int edits = random.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    int kind = random.nextInt(3);
                    if (kind == 0 || changed.isEmpty()) {
                        changed.add(random.nextInt(changed.size() + 1), "new" + random.nextInt(5));
                    } else if (kind == 1) {
                        changed.remove(random.nextInt(changed.size()));
                    } else {
                        changed.set(random.nextInt(changed.size()), "set" + random.nextInt(5));
                    }
                }
                if (!changed.isEmpty() && random.nextInt(10) > 0) {
                    to.put(zone, changed);
                }
            });
            if (random.nextInt(4) == 0) {
                to.put("zone-new", List.of("n" + random.nextInt(3)));
            }
            Optional<List<ZoneSplice>> delta = PushDeltas.between(from, to);
            if (delta.isPresent()) {
                offered++;
                assertThat(PushDeltas.apply(from, delta.get())).as("round %d: %s -> %s", round, from, to)
                        .isEqualTo(to);
                assertThat(new ArrayList<>(PushDeltas.apply(from, delta.get()).keySet()))
                        .isEqualTo(new ArrayList<>(to.keySet()));
                // The receiver's incremental hashes agree with hashing the result from scratch.
                Map<String, long[]> incremental = PushDeltas.applyToHashes(PushDeltas.hashes(from), delta.get());
                Map<String, long[]> scratch = PushDeltas.hashes(to);
                assertThat(incremental.keySet()).containsExactlyElementsOf(scratch.keySet());
                scratch.forEach((zone, h) -> assertThat(incremental.get(zone)).isEqualTo(h));
                assertThat(dev.registry.common.model.ContentFingerprint.ofHashes(incremental))
                        .isEqualTo(dev.registry.common.model.ContentFingerprint.of(to));
            }
        }
        assertThat(offered).isGreaterThan(1_000); // the property was checked, not skipped
    }
}
