package dev.registry.meta.lease;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.registry.meta.lease.LeaderLease.Kind.DEPOSED;
import static dev.registry.meta.lease.LeaderLease.Kind.ELECTED;
import static dev.registry.meta.lease.LeaderLease.Kind.NONE;
import static org.assertj.core.api.Assertions.assertThat;

/** A node's view of its leadership, driven by store answers and a clock passed in (millis here, as nanos). */
class LeaderLeaseTest {
    private static final long MS = 1_000_000L;
    private static final LeaseSettings SETTINGS = new LeaseSettings(Duration.ofMillis(1_000), Duration.ofMillis(200));
    private static final long LEASE_END = 1_000 - 100; // lease minus the 100 ms safety margin

    private final LeaderLease lease = new LeaderLease("a", SETTINGS);

    private static LeaseRecord heldBy(String who, long term) {
        return new LeaseRecord(who, who + ":9610", term, Long.MAX_VALUE);
    }

    @Test
    void acquiringMakesTheNodeLeaderUntilLeaseMinusMarginAfterItAsked() {
        LeaderLease.Change c = lease.onAnswer(heldBy("a", 3), 0, 40 * MS);

        assertThat(c.kind()).isEqualTo(ELECTED);
        assertThat(c.term()).isEqualTo(3);
        assertThat(lease.term()).isEqualTo(3);
        assertThat(lease.isLeader((LEASE_END - 1) * MS)).isTrue();
        assertThat(lease.isLeader(LEASE_END * MS)).isFalse();
        assertThat(lease.remainingNanos(40 * MS)).isEqualTo((LEASE_END - 40) * MS);
    }

    @Test
    void leaderStopsBeforeTheDatabaseCanLetAnyoneElseIn() {
        // The node asks at local 0; the database stamps the lease with its own "now" (later), so
        // it lets others in only after askedAt + lease. The node must be done before that.
        long askedAt = 0;
        lease.onAnswer(heldBy("a", 1), askedAt, 5 * MS);
        long databaseExpiry = askedAt + 1_000;

        assertThat(lease.isLeader((databaseExpiry - 100) * MS)).isFalse();
        assertThat(lease.check((databaseExpiry - 100) * MS).kind()).isEqualTo(DEPOSED);
    }

    @Test
    void renewalsKeepTheSameTermAndExtend() {
        lease.onAnswer(heldBy("a", 1), 0, 10 * MS);
        for (long t = 200; t <= 2_000; t += 200) {
            assertThat(lease.onAnswer(heldBy("a", 1), t * MS, (t + 10) * MS).kind()).isEqualTo(NONE);
            assertThat(lease.check((t + 10) * MS).kind()).isEqualTo(NONE);
        }
        assertThat(lease.isLeader((2_000 + LEASE_END - 1) * MS)).isTrue();
    }

    @Test
    void aSlowAnswerThatArrivesAfterItsDeadlineDoesNotMakeALeader() {
        LeaderLease.Change c = lease.onAnswer(heldBy("a", 1), 0, LEASE_END * MS);

        assertThat(c.kind()).isEqualTo(NONE);
        assertThat(lease.isLeader(LEASE_END * MS)).isFalse();
    }

    @Test
    void aLateRenewalDeposesInsteadOfExtending() {
        lease.onAnswer(heldBy("a", 1), 0, 10 * MS);

        LeaderLease.Change c = lease.onAnswer(heldBy("a", 1), 100 * MS, 1_500 * MS);

        assertThat(c.kind()).isEqualTo(DEPOSED);
        assertThat(lease.term()).isZero();
    }

    @Test
    void failedRenewalsKeepLeadershipOnlyUntilTheDeadline() {
        lease.onAnswer(heldBy("a", 1), 0, 10 * MS);

        assertThat(lease.onFailure(300 * MS).kind()).isEqualTo(NONE);
        assertThat(lease.onFailure(800 * MS).kind()).isEqualTo(NONE);
        assertThat(lease.isLeader(899 * MS)).isTrue();
        LeaderLease.Change c = lease.onFailure(LEASE_END * MS);

        assertThat(c.kind()).isEqualTo(DEPOSED);
        assertThat(c.term()).isEqualTo(1);
        assertThat(c.reason()).contains("in time");
    }

    @Test
    void seeingAnotherHolderDeposesAtOnce() {
        lease.onAnswer(heldBy("a", 1), 0, 10 * MS);

        LeaderLease.Change c = lease.onAnswer(heldBy("b", 2), 200 * MS, 210 * MS);

        assertThat(c.kind()).isEqualTo(DEPOSED);
        assertThat(c.reason()).contains("b:9610").contains("term 2");
        assertThat(lease.lastSeen().holderAddress()).isEqualTo("b:9610");
    }

    @Test
    void afterLapsingTheNextRenewalElectsAgainInTheSameTerm() {
        lease.onAnswer(heldBy("a", 1), 0, 10 * MS);
        assertThat(lease.check(LEASE_END * MS).kind()).isEqualTo(DEPOSED);

        LeaderLease.Change c = lease.onAnswer(heldBy("a", 1), 950 * MS, 960 * MS);

        assertThat(c.kind()).isEqualTo(ELECTED);
        assertThat(c.term()).isEqualTo(1);
    }

    @Test
    void aDifferentTermForThisNodeDeposesFirst() {
        lease.onAnswer(heldBy("a", 1), 0, 10 * MS);

        assertThat(lease.onAnswer(heldBy("a", 5), 200 * MS, 210 * MS).kind()).isEqualTo(DEPOSED);
        assertThat(lease.onAnswer(heldBy("a", 5), 400 * MS, 410 * MS).kind()).isEqualTo(ELECTED);
        assertThat(lease.term()).isEqualTo(5);
    }

    @Test
    void followerStaysFollower() {
        assertThat(lease.onAnswer(heldBy("b", 1), 0, 10 * MS).kind()).isEqualTo(NONE);
        assertThat(lease.onFailure(20 * MS).kind()).isEqualTo(NONE);
        assertThat(lease.check(30 * MS).kind()).isEqualTo(NONE);
        assertThat(lease.onLeaseLost("x").kind()).isEqualTo(NONE);
        assertThat(lease.isLeader(30 * MS)).isFalse();
        assertThat(lease.remainingNanos(30 * MS)).isZero();
    }

    @Test
    void refusedWriteDeposes() {
        lease.onAnswer(heldBy("a", 1), 0, 10 * MS);

        assertThat(lease.onLeaseLost("the database refused a write").kind()).isEqualTo(DEPOSED);
        assertThat(lease.isLeader(20 * MS)).isFalse();
    }

    @Test
    void raisedTermIsTheTermLedIn() {
        lease.onAnswer(heldBy("a", 1), 0, 10 * MS);

        lease.onTermRaised(1, 8);
        lease.onTermRaised(3, 20); // not the held term: ignored

        assertThat(lease.term()).isEqualTo(8);
        assertThat(lease.onAnswer(heldBy("a", 8), 200 * MS, 210 * MS).kind()).isEqualTo(NONE);
    }

    @Test
    void worksAcrossTheNanoTimeOverflow() {
        long start = Long.MAX_VALUE - 500 * MS;
        lease.onAnswer(heldBy("a", 1), start, start + 10 * MS);

        assertThat(lease.isLeader(start + 800 * MS)).isTrue();
        assertThat(lease.isLeader(start + LEASE_END * MS)).isFalse();
    }
}
