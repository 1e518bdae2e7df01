package dev.registry.meta.lease;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The database side of the leader lease, row by row. */
class LeaseRulesTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long LEASE = 10_000;

    @Test
    void firstCandidateAcquiresTermOne() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "10.0.0.1:9610", T0, LEASE);

        assertThat(r).isEqualTo(new LeaseRecord("a", "10.0.0.1:9610", 1, T0 + LEASE));
        assertThat(r.isHeldBy("a", T0)).isTrue();
    }

    @Test
    void holderRenewsInTheSameTerm() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);
        LeaseRecord renewed = LeaseRules.acquireOrRenew(r, "a", "A", T0 + 2_000, LEASE);

        assertThat(renewed.term()).isEqualTo(1);
        assertThat(renewed.expiresAtMillis()).isEqualTo(T0 + 2_000 + LEASE);
    }

    @Test
    void renewalNeverShortensTheLease() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);

        LeaseRecord shorter = LeaseRules.acquireOrRenew(r, "a", "A", T0 + 100, 1_000);

        assertThat(shorter.expiresAtMillis()).isEqualTo(T0 + LEASE);
    }

    @Test
    void otherCandidateGetsTheHoldersRowWhileTheLeaseIsLive() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);

        assertThat(LeaseRules.acquireOrRenew(r, "b", "B", T0 + 1, LEASE)).isSameAs(r);
        assertThat(LeaseRules.acquireOrRenew(r, "b", "B", T0 + LEASE, LEASE)).as("live through its end, inclusive").isSameAs(r);
    }

    @Test
    void expiredLeaseIsTakenOverWithTheNextTerm() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);

        LeaseRecord taken = LeaseRules.acquireOrRenew(r, "b", "B", T0 + LEASE + 1, LEASE);

        assertThat(taken).isEqualTo(new LeaseRecord("b", "B", 2, T0 + LEASE + 1 + LEASE));
        assertThat(taken.isHeldBy("a", T0 + LEASE + 1)).isFalse();
    }

    @Test
    void holderWhoseLeaseExpiredStartsANewTermToo() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);

        LeaseRecord again = LeaseRules.acquireOrRenew(r, "a", "A", T0 + LEASE + 1, LEASE);

        assertThat(again.term()).as("anything it did in term 1 is fenced off").isEqualTo(2);
    }

    @Test
    void aRestartedNodeIsANewCandidateAndWaitsForItsOldLease() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "A/instance-1", "A", T0, LEASE);

        assertThat(LeaseRules.acquireOrRenew(r, "A/instance-2", "A", T0 + 1_000, LEASE)).isSameAs(r);
        assertThat(LeaseRules.acquireOrRenew(r, "A/instance-2", "A", T0 + LEASE + 1, LEASE).term()).isEqualTo(2);
    }

    @Test
    void onlyTheLiveHolderWritesAndOnlyInItsTerm() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);
        LeaseRecord taken = LeaseRules.acquireOrRenew(r, "b", "B", T0 + LEASE + 1, LEASE);

        assertThat(LeaseRules.mayWrite(r, "a", 1, T0 + 5)).isTrue();
        assertThat(LeaseRules.mayWrite(r, "a", 2, T0 + 5)).as("wrong term").isFalse();
        assertThat(LeaseRules.mayWrite(r, "b", 1, T0 + 5)).as("not the holder").isFalse();
        assertThat(LeaseRules.mayWrite(r, "a", 1, T0 + LEASE + 1)).as("expired").isFalse();
        assertThat(LeaseRules.mayWrite(taken, "a", 1, T0 + LEASE + 2)).as("deposed").isFalse();
        assertThat(LeaseRules.mayWrite(taken, "b", 2, T0 + LEASE + 2)).isTrue();
    }

    @Test
    void releaseExpiresTheLeaseAtOnceSoAFollowerTakesOver() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);

        LeaseRecord released = LeaseRules.release(r, "a", T0 + 100);

        assertThat(released.isLiveAt(T0 + 100)).isFalse();
        assertThat(released.term()).isEqualTo(1);
        assertThat(LeaseRules.acquireOrRenew(released, "b", "B", T0 + 100, LEASE).term()).isEqualTo(2);
    }

    @Test
    void releaseByANonHolderChangesNothing() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);

        assertThat(LeaseRules.release(r, "b", T0 + 1)).isSameAs(r);
        assertThat(LeaseRules.release(r, "a", T0 + LEASE + 1)).as("already expired").isSameAs(r);
    }

    @Test
    void holderRaisesItsTermAboveAMembersTerm() {
        LeaseRecord r = LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, LEASE);

        LeaseRecord raised = LeaseRules.raiseTerm(r, "a", 1, 7, T0 + 1);

        assertThat(raised.term()).isEqualTo(8);
        assertThat(raised.expiresAtMillis()).isEqualTo(r.expiresAtMillis());
        assertThat(LeaseRules.raiseTerm(raised, "a", 8, 3, T0 + 2).term()).as("always moves up").isEqualTo(9);
        assertThatThrownBy(() -> LeaseRules.raiseTerm(r, "b", 1, 7, T0 + 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LeaseRules.raiseTerm(r, "a", 1, 7, T0 + LEASE + 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsANonPositiveLease() {
        assertThatThrownBy(() -> LeaseRules.acquireOrRenew(LeaseRecord.NONE, "a", "A", T0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsNeedTwoRenewalsPerLease() {
        LeaseSettings defaults = LeaseSettings.defaults();

        assertThat(defaults.safetyMargin()).hasMillis(1_000);
        assertThat(defaults.takeoverBound()).hasMillis(12_000);
        assertThat(new LeaseSettings(java.time.Duration.ofMillis(300), java.time.Duration.ofMillis(100)).safetyMargin())
                .hasMillis(50);
        assertThatThrownBy(() -> new LeaseSettings(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(5)))
                .hasMessageContaining("at most half");
        assertThatThrownBy(() -> new LeaseSettings(java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(10)))
                .hasMessageContaining("at least 200 ms");
    }
}
