package dev.registry.data.replication;

import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.store.DatumStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** When a newly led slot starts serving reads. Pure: no peers are contacted, time is a counter. */
class SlotReplicationReadGateTest {
    private static final int SLOTS = 4;
    private static final String SELF = "d1:1";
    private static final String OTHER = "d2:1";

    private final AtomicLong clock = new AtomicLong(1_000);
    private final SlotReplication replication = new SlotReplication(SELF, new DatumStore(clock::get, SLOTS), null,
            SlotReplication.Settings.defaults(), clock::get);

    private static SlotTable table(long epoch, String leaderOfSlot0) {
        return new SlotTable(1, epoch, List.of(
                new SlotAssignment(0, leaderOfSlot0, List.of(leaderOfSlot0.equals(SELF) ? OTHER : SELF)),
                new SlotAssignment(1, OTHER, List.of(SELF)),
                new SlotAssignment(2, OTHER, List.of(SELF)),
                new SlotAssignment(3, OTHER, List.of(SELF))));
    }

    @Test
    void aNewlyLedSlotServesReadsOnceEveryExpectedSessionSyncedAfterItsDigest() {
        assertThat(replication.onSlotTable(table(5, SELF))).containsExactly(0);
        long tenure = replication.tenure(0);
        assertThat(tenure).isEqualTo(5);

        replication.onSessionDigested(0, "s1", tenure);
        replication.onSessionSynced(0, "s1");
        assertThat(replication.isReadable(0, Set.of("s1", "s2"))).as("s2 has not synced").isFalse();

        replication.onSessionDigested(0, "s2", tenure);
        replication.onSessionSynced(0, "s2");
        assertThat(replication.isReadable(0, Set.of("s1", "s2"))).isTrue();
        assertThat(replication.servesReads(0)).isTrue();
    }

    @Test
    void aPagedDigestCountsOnlyWhenItsPagesChainFromTheStartToTheEndInOneTenure() {
        replication.onSlotTable(table(5, SELF));
        long tenure = replication.tenure(0);
        var k1 = new dev.registry.common.protocol.SessionSlotDigestRequest.Key(
                dev.registry.common.model.DataInfoId.of("a"), "r1");
        var k2 = new dev.registry.common.protocol.SessionSlotDigestRequest.Key(
                dev.registry.common.model.DataInfoId.of("b"), "r1");

        replication.onSessionDigestPage(0, "s1", tenure, k1, k2, false); // a middle page without the first
        replication.onSessionDigestPage(0, "s1", tenure, k2, null, false);
        replication.onSessionSynced(0, "s1");
        assertThat(replication.isReadable(0, Set.of("s1"))).as("no chain from the start").isFalse();

        replication.onSessionDigestPage(0, "s1", tenure, null, k1, false);
        replication.onSessionDigestPage(0, "s1", tenure, k1, k2, true); // an answer left extras out
        replication.onSessionDigestPage(0, "s1", tenure, k2, null, false);
        replication.onSessionSynced(0, "s1");
        assertThat(replication.isReadable(0, Set.of("s1"))).as("truncated page").isFalse();

        replication.onSessionDigestPage(0, "s1", tenure, null, k1, false);
        replication.onSessionDigestPage(0, "s1", tenure - 1, k1, k2, false); // answered in an earlier tenure
        replication.onSessionDigestPage(0, "s1", tenure, k2, null, false);
        replication.onSessionSynced(0, "s1");
        assertThat(replication.isReadable(0, Set.of("s1"))).as("a page of another tenure").isFalse();

        replication.onSessionDigestPage(0, "s1", tenure, null, k1, false);
        replication.onSessionDigestPage(0, "s1", tenure, k1, k2, false);
        replication.onSessionDigestPage(0, "s1", tenure, k2, null, false);
        replication.onSessionSynced(0, "s1");
        assertThat(replication.isReadable(0, Set.of("s1"))).isTrue();
    }

    @Test
    void anUnboundedPageIsTheWholeSlot() {
        replication.onSlotTable(table(5, SELF));
        replication.onSessionDigestPage(0, "s1", replication.tenure(0), null, null, false);
        replication.onSessionSynced(0, "s1");
        assertThat(replication.isReadable(0, Set.of("s1"))).isTrue();
    }

    /**
     * Regression (CI flake of the rebuild test in ReplicationAndFailoverTest): a session's
     * "synced" concluded a digest that another leader had compared; the new leader counted it and
     * served a push without that session's publishers.
     */
    @Test
    void aSyncedWithoutADigestAnsweredInThisTenureDoesNotCount() {
        replication.onSlotTable(table(5, SELF));

        replication.onSessionSynced(0, "s1");

        assertThat(replication.isReadable(0, Set.of("s1"))).isFalse();
    }

    @Test
    void aDigestAnsweredInAnEarlierTenureDoesNotCountAfterLeadershipCameBack() {
        replication.onSlotTable(table(5, SELF));
        long first = replication.tenure(0);
        replication.onSlotTable(table(6, OTHER));
        assertThat(replication.tenure(0)).isEqualTo(-1);
        replication.onSlotTable(table(7, SELF));
        assertThat(replication.tenure(0)).isEqualTo(7);

        replication.onSessionDigested(0, "s1", first); // answered while the first tenure still ran
        replication.onSessionSynced(0, "s1");

        assertThat(replication.isReadable(0, Set.of("s1"))).isFalse();
    }

    @Test
    void afterTheReconcileDeadlineTheSlotServesReadsWithoutTheMissingSessions() {
        replication.onSlotTable(table(5, SELF));
        assertThat(replication.isReadable(0, Set.of("s1"))).isFalse();

        clock.addAndGet(SlotReplication.Settings.defaults().reconcileDeadline().toMillis());

        assertThat(replication.isReadable(0, Set.of("s1"))).isTrue();
    }

    @Test
    void aSlotLedBeforeTheTableChangeKeepsServing() {
        replication.onSlotTable(table(5, SELF));
        replication.onSessionDigested(0, "s1", replication.tenure(0));
        replication.onSessionSynced(0, "s1");
        assertThat(replication.isReadable(0, Set.of("s1"))).isTrue();

        assertThat(replication.onSlotTable(table(6, SELF))).as("not newly led").isEmpty();

        assertThat(replication.isReadable(0, Set.of("s1", "s2"))).isTrue();
    }

    @Test
    void aLeaderThatLostTheSlotAndGotItBackInTablesItMissedStartsANewTenure() {
        replication.onSlotTable(table(5, SELF));
        replication.onSessionDigested(0, "s1", replication.tenure(0));
        replication.onSessionSynced(0, "s1");
        assertThat(replication.isReadable(0, Set.of("s1"))).isTrue();

        // Epochs 6-8 (slot 0 led elsewhere, then back here since 8) never reached this server.
        SlotTable back = new SlotTable(1, 9, List.of(
                new SlotAssignment(0, SELF, List.of(OTHER), 8),
                new SlotAssignment(1, OTHER, List.of(SELF)),
                new SlotAssignment(2, OTHER, List.of(SELF)),
                new SlotAssignment(3, OTHER, List.of(SELF))));
        assertThat(replication.onSlotTable(back)).as("led anew").containsExactly(0);
        assertThat(replication.tenure(0)).isEqualTo(9);
        assertThat(replication.isReadable(0, Set.of("s1"))).as("its copy may be stale: the gate closes").isFalse();

        // A table that only confirms the same unbroken leadership changes nothing.
        SlotTable same = new SlotTable(1, 10, back.slots());
        assertThat(replication.onSlotTable(same)).isEmpty();
        assertThat(replication.tenure(0)).isEqualTo(9);
    }
}
