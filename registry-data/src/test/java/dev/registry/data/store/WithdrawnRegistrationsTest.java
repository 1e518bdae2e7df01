package dev.registry.data.store;

import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WithdrawnRegistrationsTest {
    private static final DataInfoId ID = DataInfoId.of("svc");

    @Test
    void refusesOnlyStrictlyOlderVersionsUntilTheTtlOrAForget() {
        WithdrawnRegistrations w = new WithdrawnRegistrations(1_000, 10);
        w.remember(ID, "r1", 5, 0);
        assertThat(w.refuses(ID, "r1", 4, 10)).isTrue();
        assertThat(w.refuses(ID, "r1", 5, 10)).as("same version: a live re-registration").isFalse();
        assertThat(w.refuses(ID, "r2", 1, 10)).as("another registration").isFalse();
        assertThat(w.refuses(DataInfoId.of("other"), "r1", 1, 10)).as("another service").isFalse();
        assertThat(w.refuses(ID, "r1", 4, 1_000)).as("expired").isFalse();
        assertThat(w.size()).isZero();

        w.remember(ID, "r1", 5, 2_000);
        w.forget(ID, "r1");
        assertThat(w.refuses(ID, "r1", 4, 2_001)).isFalse();
    }

    @Test
    void keepsAtMostItsCapacityDroppingTheOldestAndExpiresInOrder() {
        WithdrawnRegistrations w = new WithdrawnRegistrations(1_000, 3);
        for (int i = 0; i < 5; i++) {
            w.remember(ID, "r" + i, 9, i);
        }
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.refuses(ID, "r0", 1, 10)).isFalse();
        assertThat(w.refuses(ID, "r1", 1, 10)).isFalse();
        assertThat(w.refuses(ID, "r4", 1, 10)).isTrue();
        w.remember(ID, "r2", 9, 500); // withdrawn again: moves to the end
        assertThat(w.refuses(ID, "r3", 1, 1_003)).as("r3 expired at 1,003").isFalse();
        assertThat(w.refuses(ID, "r2", 1, 1_003)).isTrue();
    }
}
