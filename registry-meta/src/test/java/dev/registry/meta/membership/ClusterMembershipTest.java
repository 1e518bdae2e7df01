package dev.registry.meta.membership;

import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.slot.SlotTable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Membership decisions on a virtual clock: leases of 6 s, so a leader hearing nobody for 3 s is isolated. */
class ClusterMembershipTest {
    private static final long LEASE = 6_000;
    private static final OperationalSwitches SWITCHES = new OperationalSwitches(0, List.of(), false);

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ClusterMembership<Object> members =
            new ClusterMembership<>(Duration.ofMillis(LEASE), Duration.ofMillis(LEASE), now::get);
    private final Object connA = new Object();
    private final Object connB = new Object();
    private final Object connS = new Object();

    private void advance(long millis) {
        now.addAndGet(millis);
    }

    /** Every member heartbeats once a second for {@code millis}. */
    private void beatFor(long millis, String... dataServers) {
        for (long t = 0; t < millis; t += 1_000) {
            for (String d : dataServers) {
                members.dataHeartbeat(d, d.equals("a:1") ? connA : connB, null);
            }
            advance(1_000);
        }
    }

    @Test
    void aDataServerJoinsOnceAndGoesWhenItsLeaseRunsOut() {
        members.startLeading(Set.of(), false);
        assertThat(members.dataHeartbeat("a:1", connA, "a:9601").joined()).isTrue();
        assertThat(members.dataHeartbeat("b:1", connB, "b:9601").joined()).isTrue();
        assertThat(members.dataHeartbeat("a:1", connA, "a:9601").joined()).isFalse();

        // b stops; a keeps beating, so the leader is not isolated and b's lease runs out.
        beatFor(LEASE + 1_000, "a:1");
        ClusterMembership.Expiry expiry = members.expire();

        assertThat(expiry.isolated()).isFalse();
        assertThat(expiry.data()).containsExactly("b:1");
        assertThat(members.dataServers()).containsExactly("a:1");
        assertThat(members.connections()).containsExactly(connA);
        HeartbeatResponse r = members.heartbeatResponse(SlotTable.initial(4), 1, SWITCHES, 0, null);
        assertThat(r.dataAdminAddresses()).isEqualTo(Map.of("a:1", "a:9601"));
    }

    @Test
    void aLeaderThatHearsNobodyExpiresNobodyAndSaysSoOnce() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);
        members.sessionHeartbeat("s:1", connS, 5, null);
        advance(LEASE * 3);

        ClusterMembership.Expiry first = members.expire();
        ClusterMembership.Expiry second = members.expire();

        assertThat(first.isolated()).isTrue();
        assertThat(first.isolationBegan()).isTrue();
        assertThat(first.quietMillis()).isEqualTo(LEASE * 3);
        assertThat(second.isolated()).isTrue();
        assertThat(second.isolationBegan()).as("warned once").isFalse();
        assertThat(members.dataServers()).containsExactly("a:1");
        assertThat(members.sessionServers()).containsExactly("s:1");
        assertThat(members.snapshot().isolated()).isTrue();
    }

    @Test
    void theFirstHeartbeatAfterAnIsolationRestartsEveryLease() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);
        members.dataHeartbeat("b:1", connB, null);
        advance(LEASE * 3);
        members.expire();

        ClusterMembership.Heard heard = members.dataHeartbeat("a:1", connA, null);

        assertThat(heard.endedIsolation()).isTrue();
        assertThat(heard.silenceMillis()).isEqualTo(LEASE * 3);
        assertThat(members.dataHeartbeat("a:1", connA, null).endedIsolation()).isFalse();
        // b gets a full lease from now for its next heartbeat, not expiry for the leader's own silence.
        beatFor(LEASE, "a:1");
        assertThat(members.expire().data()).isEmpty();
        beatFor(2_000, "a:1");
        assertThat(members.expire().data()).containsExactly("b:1");
    }

    @Test
    void theServersOfATakenOverTableGetTwoLeasesToShowUp() {
        members.startLeading(Set.of("a:1", "b:1"), false);
        assertThat(members.dataServers()).containsExactly("a:1", "b:1");
        assertThat(members.dataHeartbeat("a:1", connA, null).joined()).as("already expected").isFalse();

        beatFor(2 * LEASE, "a:1");
        assertThat(members.expire().data()).isEmpty();
        beatFor(2_000, "a:1");
        assertThat(members.expire().data()).containsExactly("b:1");
    }

    @Test
    void aNewLeaderOfARunningClusterMayMissSessionsForOneLease() {
        members.startLeading(Set.of(), true);
        members.sessionHeartbeat("s:1", connS, 5, null);
        SlotTable table = SlotTable.initial(4);
        assertThat(members.sessionListComplete()).isFalse();
        assertThat(members.heartbeatResponse(table, 1, SWITCHES, 0, null).sessionListIncomplete()).isTrue();

        for (int i = 0; i <= LEASE / 1_000; i++) {
            members.sessionHeartbeat("s:1", connS, 5, null);
            advance(1_000);
        }

        assertThat(members.sessionListComplete()).isTrue();
        assertThat(members.heartbeatResponse(table, 1, SWITCHES, 0, null).sessionListIncomplete()).isFalse();
    }

    @Test
    void aFreshLeadershipHoldsEverySession() {
        members.startLeading(Set.of(), false);
        assertThat(members.sessionListComplete()).isTrue();
    }

    @Test
    void theHeartbeatResponseCarriesTheTableOnlyToAMemberWithAnotherEpoch() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, "a:9601");
        members.sessionHeartbeat("s:1", connS, 7, "s:9603");
        members.sessionHeartbeat("s:2", connB, -1, null);
        SlotTable table = SlotTable.initial(4).withTermAndEpoch(3, 12);

        HeartbeatResponse behind = members.heartbeatResponse(table, 3, SWITCHES, 11, "m:9615");
        HeartbeatResponse current = members.heartbeatResponse(table, 3, SWITCHES, 12, "m:9615");

        assertThat(behind.slotTable()).isSameAs(table);
        assertThat(current.slotTable()).isNull();
        assertThat(current.epoch()).isEqualTo(12);
        assertThat(current.term()).isEqualTo(3);
        assertThat(current.dataServers()).containsExactly("a:1");
        assertThat(current.sessionServers()).containsExactly("s:1", "s:2");
        assertThat(current.dataAdminAddresses()).isEqualTo(Map.of("a:1", "a:9601"));
        assertThat(current.metaAdminAddress()).isEqualTo("m:9615");
    }

    @Test
    void aLeavingServerLeavesTheTableAtOnceAndTheMembershipWhenItDisconnects() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);
        members.dataHeartbeat("b:1", connB, null);

        members.leaving("b:1", connB);

        assertThat(members.tableServers()).contains(Set.of("a:1"));
        assertThat(members.dataServers()).as("still heartbeating").containsExactly("a:1", "b:1");
        assertThat(members.snapshot().dataServers()).extracting(ClusterMembership.DataServerState::leaving)
                .containsExactly(false, true);
        assertThat(members.disconnected(connA)).as("not leaving: its lease decides").isFalse();
        assertThat(members.dataServers()).contains("a:1");
        assertThat(members.disconnected(connB)).isTrue();
        assertThat(members.dataServers()).containsExactly("a:1");
        assertThat(members.connections()).isEmpty();
    }

    @Test
    void theLastServerLeavingKeepsItsSlots() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);
        members.leaving("a:1", connA);
        assertThat(members.tableServers()).isEqualTo(Optional.empty());
    }

    @Test
    void aReportedServerGoesOnlyWhenTheLeadersProbeFailsToo() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);
        members.dataHeartbeat("b:1", connB, null);

        assertThat(members.reportedUnreachable("b:1", "s:1")).as("probe it").isTrue();
        assertThat(members.reportedUnreachable("b:1", "s:2")).as("a probe is in flight").isFalse();
        advance(100);
        assertThat(members.probed("b:1", false)).isEqualTo(ClusterMembership.ProbeOutcome.EVICTED);

        assertThat(members.dataServers()).containsExactly("a:1");
        assertThat(members.connections()).containsExactly(connA);
        assertThat(members.snapshot().evictedOnReport()).isEqualTo(1);
        assertThat(members.reportedUnreachable("b:1", "s:1")).as("no member any more").isFalse();
    }

    @Test
    void aServerThatAnswersTheProbeOrKeepsHeartbeatingStays() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);

        members.reportedUnreachable("a:1", "s:1");
        assertThat(members.probed("a:1", true)).isEqualTo(ClusterMembership.ProbeOutcome.KEPT);
        assertThat(members.reportedUnreachable("a:1", "s:1")).as("reached just now").isFalse();

        advance(1_000);
        assertThat(members.reportedUnreachable("a:1", "s:1")).isTrue();
        members.dataHeartbeat("a:1", connA, null);
        assertThat(members.probed("a:1", false)).isEqualTo(ClusterMembership.ProbeOutcome.KEPT);
        assertThat(members.dataServers()).containsExactly("a:1");
    }

    @Test
    void anIsolatedLeaderLeavesAReportedServerToItsLease() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);
        members.reportedUnreachable("a:1", "s:1");
        advance(LEASE);

        assertThat(members.probed("a:1", false)).isEqualTo(ClusterMembership.ProbeOutcome.KEPT_WHILE_ISOLATED);
        assertThat(members.dataServers()).containsExactly("a:1");
    }

    @Test
    void aLeavingServerIsNeitherProbedNorEvictedOnReport() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);
        members.leaving("a:1", connA);
        assertThat(members.reportedUnreachable("a:1", "s:1")).isFalse();
    }

    @Test
    void aMemberWithANewerEpochOrOneStuckOnAnotherForThreeHeartbeatsHoldsAnUnknownTable() {
        assertThat(members.holdsUnknownTable("a:1", 8, 7)).as("newer").isTrue();
        assertThat(members.holdsUnknownTable("b:1", 5, 7)).isFalse();
        assertThat(members.holdsUnknownTable("b:1", 5, 7)).isFalse();
        assertThat(members.holdsUnknownTable("b:1", 5, 7)).as("refuses the table it was sent").isTrue();

        assertThat(members.holdsUnknownTable("c:1", 5, 7)).isFalse();
        assertThat(members.holdsUnknownTable("c:1", 5, 7)).isFalse();
        assertThat(members.holdsUnknownTable("c:1", 7, 7)).as("caught up").isFalse();
        assertThat(members.holdsUnknownTable("c:1", 6, 7)).as("counting starts again").isFalse();
    }

    @Test
    void steppingDownForgetsEveryMember() {
        members.startLeading(Set.of("a:1"), false);
        members.dataHeartbeat("a:1", connA, null);
        members.sessionHeartbeat("s:1", connS, 3, null);
        members.leaving("a:1", connA);

        members.stopLeading();

        assertThat(members.dataServers()).isEmpty();
        assertThat(members.sessionServers()).isEmpty();
        assertThat(members.connections()).isEmpty();
        assertThat(members.disconnected(connA)).as("no longer leaving").isFalse();
    }

    @Test
    void aFoundRunningClusterKeepsItsServersAndWaitsForItsSessions() {
        members.startLeading(Set.of(), false);
        members.runningClusterFound(Set.of("a:1", "b:1"));

        assertThat(members.dataServers()).containsExactly("a:1", "b:1");
        assertThat(members.sessionListComplete()).isFalse();
    }

    @Test
    void theSnapshotShowsEachMemberAndWhenItWasLastHeard() {
        members.startLeading(Set.of(), false);
        members.dataHeartbeat("a:1", connA, null);
        members.sessionHeartbeat("s:1", connS, 4, null);
        members.sessionHeartbeat("s:2", connB, -1, null);
        advance(250);

        ClusterMembership.Snapshot s = members.snapshot();

        assertThat(s.dataServers()).containsExactly(new ClusterMembership.DataServerState("a:1", false, 250));
        assertThat(s.sessionServers()).containsExactly(
                new ClusterMembership.SessionServerState("s:1", 4, 250),
                new ClusterMembership.SessionServerState("s:2", -1, 250));
        assertThat(s.sessionListComplete()).isTrue();
        assertThat(s.isolated()).isFalse();
        assertThat(s.evictedOnReport()).isZero();
    }
}
