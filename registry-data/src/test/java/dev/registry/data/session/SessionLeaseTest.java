package dev.registry.data.session;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SessionLeaseTest {
    private final SessionLease lease = new SessionLease(5_000);

    @Test
    void aSessionAbsentForTheWholeGraceExpiresOnceAndAReturnStartsItOver() {
        assertThat(lease.expired(Set.of("s1", "s2"), Set.of("s1"), 1_000)).isEmpty();
        assertThat(lease.expired(Set.of("s1", "s2"), Set.of("s1"), 5_999)).as("4.999 s absent").isEmpty();
        assertThat(lease.expired(Set.of("s1", "s2"), Set.of("s1"), 6_000)).containsExactly("s2");
        assertThat(lease.expired(Set.of("s1", "s2"), Set.of("s1"), 6_001)).as("once").isEmpty();

        assertThat(lease.expired(Set.of("s3"), Set.of(), 10_000)).isEmpty();
        assertThat(lease.expired(Set.of("s3"), Set.of("s3"), 12_000)).as("back in time").isEmpty();
        assertThat(lease.expired(Set.of("s3"), Set.of(), 13_000)).isEmpty();
        assertThat(lease.expired(Set.of("s3"), Set.of(), 17_999)).as("its absence started over").isEmpty();
        assertThat(lease.expired(Set.of("s3"), Set.of(), 18_000)).containsExactly("s3");
    }

    @Test
    void aSessionWithoutPublishersHereIsNotTracked() {
        assertThat(lease.expired(Set.of("s1"), Set.of(), 0)).isEmpty();
        assertThat(lease.expired(Set.of(), Set.of(), 3_000)).isEmpty(); // its publishers went meanwhile
        assertThat(lease.expired(Set.of("s1"), Set.of(), 6_000)).as("absent again from 6 s, not 0 s").isEmpty();
        assertThat(lease.expired(Set.of("s1"), Set.of(), 11_000)).containsExactly("s1");
    }

    @Test
    void takingSlotsOverStartsEveryAbsenceOver() {
        assertThat(lease.expired(Set.of("s1"), Set.of(), 0)).isEmpty(); // absent since 0 (this server was paused, say)
        lease.tookSlotsOver();
        assertThat(lease.expired(Set.of("s1"), Set.of(), 6_000)).as("absent since 6 s, not 0 s").isEmpty();
        assertThat(lease.expired(Set.of("s1"), Set.of(), 11_000)).containsExactly("s1");
    }
}
