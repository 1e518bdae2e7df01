package dev.registry.common.model;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The sync fingerprint that slot summaries XOR: it must tell apart whatever a digest would. */
class PublisherFingerprintTest {
    private static final DataInfoId ID = DataInfoId.of("com.example.Echo", "RPC", "t1");

    private static Publisher p(DataInfoId id, String registerId, long version, String connectionId, String value) {
        return new Publisher(id, registerId, version, List.of(value), "app", "10.0.0.1", "zone", 1L, "s1", connectionId);
    }

    @Test
    void followsKeyVersionAndConnectionButNotTheValues() {
        long base = p(ID, "r1", 1, "c1", "a").syncFingerprint();
        assertThat(p(ID, "r1", 1, "c1", "other value").syncFingerprint()).as("values are not what a digest compares")
                .isEqualTo(base);
        assertThat(p(DataInfoId.of("com.example.Other", "RPC", "t1"), "r1", 1, "c1", "a").syncFingerprint()).isNotEqualTo(base);
        assertThat(p(ID, "r2", 1, "c1", "a").syncFingerprint()).isNotEqualTo(base);
        assertThat(p(ID, "r1", 2, "c1", "a").syncFingerprint()).isNotEqualTo(base);
        assertThat(p(ID, "r1", 1, "c2", "a").syncFingerprint()).isNotEqualTo(base);
        assertThat(p(ID, "r1", 1, null, "a").syncFingerprint()).isNotEqualTo(base).isNotZero();
    }

    @Test
    void hasNoCollisionsOverManyRegistrationsAndIsNeverZero() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            long f = p(DataInfoId.of("svc-" + (i % 500)), "reg-" + i, i % 3, "conn-" + (i % 20), "v").syncFingerprint();
            assertThat(f).isNotZero();
            seen.add(f);
        }
        assertThat(seen).hasSize(200_000);
    }
}
