package dev.registry.meta.membership;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeasesTest {
    private static final long T0 = 1_000_000L;

    private final Leases<String> leases = new Leases<>(Duration.ofSeconds(10));

    @Test
    void renewReportsOnlyNewMembers() {
        assertThat(leases.renew("a", T0)).isTrue();
        assertThat(leases.renew("a", T0 + 1)).isFalse();
        assertThat(leases.renew("b", T0 + 2)).isTrue();
        assertThat(leases.members()).containsExactly("a", "b");
    }

    @Test
    void leaseIsLiveThroughItsDurationAndExpiredJustAfter() {
        leases.renew("a", T0);

        assertThat(leases.isLive("a", T0 + 10_000)).isTrue();
        assertThat(leases.expire(T0 + 10_000)).isEmpty();
        assertThat(leases.isLive("a", T0 + 10_001)).isFalse();
        assertThat(leases.expire(T0 + 10_001)).containsExactly("a");
        assertThat(leases.members()).isEmpty();
        assertThat(leases.expire(T0 + 10_002)).isEmpty();
    }

    @Test
    void renewingExtendsTheLease() {
        leases.renew("a", T0);
        leases.renew("a", T0 + 6_000);

        assertThat(leases.expire(T0 + 12_000)).isEmpty();
        assertThat(leases.isLive("a", T0 + 16_000)).isTrue();
        assertThat(leases.expire(T0 + 16_001)).containsExactly("a");
    }

    @Test
    void lateRenewalNeverShortensTheLease() {
        leases.renew("a", T0 + 5_000);
        leases.renew("a", T0); // delivered out of order

        assertThat(leases.isLive("a", T0 + 15_000)).isTrue();
    }

    @Test
    void expireRemovesOnlyLapsedMembersInOrder() {
        leases.renew("c", T0);
        leases.renew("a", T0);
        leases.renew("b", T0 + 5_000);

        assertThat(leases.expire(T0 + 12_000)).containsExactly("a", "c");
        assertThat(leases.members()).containsExactly("b");
    }

    @Test
    void lapsedMemberThatRenewsBeforeExpiryIsNotNew() {
        leases.renew("a", T0);
        assertThat(leases.isLive("a", T0 + 20_000)).isFalse();

        assertThat(leases.renew("a", T0 + 20_000)).isFalse();
        assertThat(leases.expire(T0 + 20_000)).isEmpty();
    }

    @Test
    void removeForgetsAMember() {
        leases.renew("a", T0);

        assertThat(leases.remove("a")).isTrue();
        assertThat(leases.remove("a")).isFalse();
        assertThat(leases.isLive("a", T0)).isFalse();
        assertThat(leases.members()).isEmpty();
        assertThat(leases.renew("a", T0 + 1)).isTrue();
    }

    @Test
    void membersIsASnapshot() {
        leases.renew("a", T0);
        var snapshot = leases.members();
        leases.renew("b", T0);

        assertThat(snapshot).containsExactly("a");
        assertThatThrownBy(() -> snapshot.add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void customOrderOrdersMembers() {
        Leases<String> byLength = new Leases<>(Duration.ofSeconds(1), Comparator.comparing(String::length)
                .thenComparing(Comparator.naturalOrder()));
        byLength.renew("ccc", T0);
        byLength.renew("a", T0);
        byLength.renew("bb", T0);

        assertThat(byLength.members()).containsExactly("a", "bb", "ccc");
        assertThat(byLength.expire(T0 + 1_001)).containsExactly("a", "bb", "ccc");
    }

    @Test
    void durationMustBePositive() {
        assertThatThrownBy(() -> new Leases<String>(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Leases<String>(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(leases.leaseDuration()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aTableThatNeverStartedLateHoldsEveryLiveMember() {
        assertThat(leases.holdsEveryLiveMember(T0)).isTrue();
        assertThat(leases.holdsEveryLiveMember(Long.MIN_VALUE / 4)).isTrue();
    }

    /** Chaos seed 5028: a new meta leader listed one of two live sessions while slots moved. */
    @Test
    void aTableThatStartedListeningLateMayMissMembersForOneLease() {
        leases.startListening(T0);
        leases.renew("a", T0 + 100);

        assertThat(leases.holdsEveryLiveMember(T0 + 100)).as("b may renew any moment").isFalse();
        assertThat(leases.holdsEveryLiveMember(T0 + 10_000)).isFalse();
        assertThat(leases.holdsEveryLiveMember(T0 + 10_001))
                .as("a live member renews at least once per lease: by now every one did").isTrue();
    }
}
