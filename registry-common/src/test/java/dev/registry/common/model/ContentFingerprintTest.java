package dev.registry.common.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ContentFingerprintTest {

    private static Map<String, List<String>> zones(Object... zoneThenValues) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < zoneThenValues.length; i += 2) {
            out.put((String) zoneThenValues[i], (List<String>) zoneThenValues[i + 1]);
        }
        return out;
    }

    @Test
    void theOrderOfValuesAndZonesDoesNotMatter() {
        long a = ContentFingerprint.of(zones("z1", List.of("a", "b"), "z2", List.of("c")));
        long b = ContentFingerprint.of(zones("z2", List.of("c"), "z1", List.of("b", "a")));
        assertThat(a).isEqualTo(b);
    }

    @Test
    void anyDifferenceInValuesZonesOrMultiplicityChangesIt() {
        Set<Long> seen = new HashSet<>();
        List<Map<String, List<String>>> contents = List.of(
                zones(),
                zones("z1", List.of()),
                zones("z1", List.of("a")),
                zones("z1", List.of("a", "a")),
                zones("z1", List.of("b")),
                zones("z2", List.of("a")),
                zones("z1", List.of("a"), "z2", List.of("a")),
                zones("z1", List.of("a", "b")),
                zones("z1", List.of("ab")));
        for (Map<String, List<String>> c : contents) {
            seen.add(ContentFingerprint.of(c));
        }
        // An empty zone shows the same list as no zone at all.
        assertThat(seen).hasSize(contents.size() - 1);
    }

    @Test
    void noCollisionsAmongManyNeighbouringLists() {
        Set<Long> seen = new HashSet<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            values.add("10.0." + (i / 250) + "." + (i % 250) + ":12200");
            assertThat(seen.add(ContentFingerprint.of(zones("z", values)))).isTrue();
        }
        for (int i = 0; i < 2_000; i++) {
            assertThat(seen.add(ContentFingerprint.of(zones("z", List.of("10.1.0." + i + ":1"))))).isTrue();
        }
    }

    @Test
    void valueHashesDoNotCollideOnAMillionAddressLikeValuesAndSeeEveryCharAndTheLength() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            String value = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + ":" + (8000 + i % 7);
            assertThat(seen.add(ContentFingerprint.hash(value))).as("collision at %s", value).isTrue();
        }
        String base = "x".repeat(37);
        Set<Long> oneCharApart = new HashSet<>();
        oneCharApart.add(ContentFingerprint.hash(base));
        for (int pos = 0; pos < base.length(); pos++) {
            String changed = base.substring(0, pos) + 'y' + base.substring(pos + 1);
            assertThat(oneCharApart.add(ContentFingerprint.hash(changed))).as("position %d", pos).isTrue();
        }
        assertThat(ContentFingerprint.hash("a")).isNotEqualTo(ContentFingerprint.hash("a\u0000"));
        assertThat(ContentFingerprint.hash("")).isNotEqualTo(ContentFingerprint.hash("\u0000"));
    }
}
