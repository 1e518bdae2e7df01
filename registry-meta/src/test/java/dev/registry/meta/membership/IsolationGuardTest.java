package dev.registry.meta.membership;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsolationGuardTest {
    private final IsolationGuard guard = new IsolationGuard(Duration.ofMillis(3_000), 0);

    @Test
    void leasesExpireWhileSomeMemberIsHeard() {
        for (long t = 0; t <= 20_000; t += 1_000) {
            guard.heard(t);
            assertThat(guard.mayExpire(t + 200)).isTrue();
        }
        assertThat(guard.isolated()).isFalse();
    }

    @Test
    void aLeaderThatHearsNobodyExpiresNobody() {
        guard.heard(1_000);
        assertThat(guard.mayExpire(4_000)).as("quiet exactly the limit").isTrue();
        assertThat(guard.mayExpire(4_001)).isFalse();
        assertThat(guard.isolated()).isTrue();
        assertThat(guard.mayExpire(60_000)).isFalse();
        assertThat(guard.quietMillis(60_000)).isEqualTo(59_000);
    }

    @Test
    void theFirstHeartbeatAfterIsolationSaysSoOnce() {
        guard.mayExpire(10_000);
        assertThat(guard.heard(10_500)).as("isolation ends: renew every lease").isTrue();
        assertThat(guard.heard(10_600)).isFalse();
        assertThat(guard.mayExpire(10_700)).isTrue();
    }

    @Test
    void aNewLeadershipStartsTheQuietPeriodAfresh() {
        guard.mayExpire(10_000);
        guard.restart(10_000);
        assertThat(guard.isolated()).isFalse();
        assertThat(guard.mayExpire(12_000)).isTrue();
        assertThat(guard.mayExpire(13_001)).isFalse();
    }

    @Test
    void aLateHeartbeatTimestampNeverMovesTheClockBack() {
        guard.heard(5_000);
        guard.heard(4_000);
        assertThat(guard.mayExpire(7_500)).isTrue();
    }

    @Test
    void theLimitMustBePositive() {
        assertThatThrownBy(() -> new IsolationGuard(Duration.ZERO, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
