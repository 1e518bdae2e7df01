package dev.registry.meta.slot;

import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.registry.meta.slot.SlotTables.assertBalanced;
import static dev.registry.meta.slot.SlotTables.copiesHeldBy;
import static dev.registry.meta.slot.SlotTables.holders;
import static dev.registry.meta.slot.SlotTables.leaderChanges;
import static dev.registry.meta.slot.SlotTables.replicaMoves;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hand-written scenarios; {@link SlotBalancerPropertyTest} covers random memberships. */
class SlotBalancerTest {
    private static final String A = "10.0.0.1:9620";
    private static final String B = "10.0.0.2:9620";
    private static final String C = "10.0.0.3:9620";
    private static final String D = "10.0.0.4:9620";

    private final SlotBalancer balancer = new SlotBalancer(SlotBalancer.DEFAULT_REPLICAS);

    @Test
    void firstBalanceSpreadsLeadersAndCopiesEvenly() {
        SlotTable t = balancer.balance(SlotTable.initial(256), Set.of(A, B, C));

        assertThat(t.epoch()).isEqualTo(1);
        assertBalanced(t, Set.of(A, B, C), 2, 256);
        assertThat(List.of(t.slotsLedBy(A).size(), t.slotsLedBy(B).size(), t.slotsLedBy(C).size()))
                .containsExactlyInAnyOrder(85, 85, 86);
        assertThat(List.of(copiesHeldBy(t, A), copiesHeldBy(t, B), copiesHeldBy(t, C)))
                .containsExactlyInAnyOrder(170, 171, 171);
    }

    @Test
    void smallTableLayoutIsPinned() {
        SlotTable t = balancer.balance(SlotTable.initial(6), Set.of(C, B, A));

        // two leads and four copies each; every leader's two slots have different heirs
        assertThat(t.slots()).containsExactly(
                new SlotAssignment(0, A, List.of(B)),
                new SlotAssignment(1, C, List.of(A)),
                new SlotAssignment(2, B, List.of(C)),
                new SlotAssignment(3, A, List.of(C)),
                new SlotAssignment(4, B, List.of(A)),
                new SlotAssignment(5, C, List.of(B)));
    }

    @Test
    void stableMembershipKeepsTheTableInstance() {
        SlotTable t = balancer.balance(SlotTable.initial(64), Set.of(A, B, C));

        assertThat(balancer.balance(t, new TreeSet<>(List.of(C, B, A)))).isSameAs(t);
    }

    @Test
    void deadLeaderIsReplacedByItsFirstLiveFollower() {
        SlotTable t = new SlotTable(7, List.of(
                new SlotAssignment(0, A, List.of(C, B)),
                new SlotAssignment(1, B, List.of(A, C)),
                new SlotAssignment(2, C, List.of(B, A))));

        SlotTable after = new SlotBalancer(3).balance(t, Set.of(B, C));

        assertThat(after.epoch()).isEqualTo(8);
        assertThat(after.slots()).containsExactly(
                new SlotAssignment(0, C, List.of(B)),
                new SlotAssignment(1, B, List.of(C)),
                new SlotAssignment(2, C, List.of(B)));
    }

    @Test
    void pristineTableFailsOverWithAlmostNoExtraLeaderChanges() {
        Set<String> all = Set.of(A, B, C, D);
        SlotTable t = balancer.balance(SlotTable.initial(256), all);
        for (String dead : all) {
            Set<String> live = new TreeSet<>(all);
            live.remove(dead);

            SlotTable after = balancer.balance(t, live);

            assertBalanced(after, live, 2, 256);
            assertThat(replicaMoves(t, after)).isEqualTo(copiesHeldBy(t, dead));
            assertThat(leaderChanges(t, after)).isLessThanOrEqualTo(t.slotsLedBy(dead).size() + 1);
            for (int slot : t.slotsLedBy(dead)) {
                assertThat(after.slot(slot).leader()).isEqualTo(t.slot(slot).followers().get(0));
            }
        }
    }

    @Test
    void joiningServerTakesExactlyItsShare() {
        SlotTable t = balancer.balance(SlotTable.initial(256), Set.of(A, B, C));

        SlotTable after = balancer.balance(t, Set.of(A, B, C, D));

        assertBalanced(after, Set.of(A, B, C, D), 2, 256);
        assertThat(after.epoch()).isEqualTo(t.epoch() + 1);
        assertThat(replicaMoves(t, after)).isEqualTo(copiesHeldBy(after, D)).isEqualTo(128);
        assertThat(leaderChanges(t, after)).isEqualTo(after.slotsLedBy(D).size()).isEqualTo(64);
    }

    @Test
    void leaderImbalanceIsFixedBySwappingRolesNotMovingData() {
        SlotTable t = new SlotTable(5, List.of(
                new SlotAssignment(0, A, List.of(B)),
                new SlotAssignment(1, A, List.of(B)),
                new SlotAssignment(2, A, List.of(B)),
                new SlotAssignment(3, A, List.of(B))));

        SlotTable after = balancer.balance(t, Set.of(A, B));

        assertThat(after.epoch()).isEqualTo(6);
        assertThat(replicaMoves(t, after)).isZero();
        assertThat(leaderChanges(t, after)).isEqualTo(2);
        assertThat(after.slotsLedBy(A)).hasSize(2);
        assertThat(after.slotsLedBy(B)).hasSize(2);
    }

    @Test
    void moreReplicasThanServersPutsEveryServerOnEverySlot() {
        SlotTable t = new SlotBalancer(3).balance(SlotTable.initial(8), Set.of(A, B));

        assertBalanced(t, Set.of(A, B), 3, 8);
        for (SlotAssignment a : t.slots()) {
            assertThat(holders(a)).containsExactlyInAnyOrder(A, B);
        }
    }

    @Test
    void loweringReplicasDropsFollowersWithoutCopyingData() {
        SlotTable three = new SlotBalancer(3).balance(SlotTable.initial(64), Set.of(A, B, C));

        SlotTable two = balancer.balance(three, Set.of(A, B, C));

        assertBalanced(two, Set.of(A, B, C), 2, 64);
        assertThat(replicaMoves(three, two)).isZero();
        assertThat(leaderChanges(three, two)).isZero();
    }

    @Test
    void unknownServersInTheTableAreDropped() {
        SlotTable t = new SlotTable(3, List.of(
                new SlotAssignment(0, "gone:1", List.of("gone:2", A)),
                new SlotAssignment(1, A, List.of(A, "gone:1"))));

        SlotTable after = balancer.balance(t, Set.of(A, B));

        assertBalanced(after, Set.of(A, B), 2, 2);
        assertThat(after.servers()).containsExactly(A, B);
        assertThat(after.slot(0).leader()).isEqualTo(A);
    }

    @Test
    void noLiveServerLeavesEverySlotWithoutLeader() {
        SlotTable t = balancer.balance(SlotTable.initial(16), Set.of(A, B));

        SlotTable empty = balancer.balance(t, Set.of());

        assertThat(empty.epoch()).isEqualTo(t.epoch() + 1);
        assertBalanced(empty, Set.of(), 2, 16);
        assertThat(balancer.balance(empty, Set.of())).isSameAs(empty);
        assertThat(balancer.balance(SlotTable.initial(16), Set.of()).epoch()).isZero();
    }

    @Test
    void replicasMustBePositive() {
        assertThatThrownBy(() -> new SlotBalancer(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyLeaderCarriesTheEpochItTookItsSlotAt() {
        SlotTable first = balancer.balance(SlotTable.initial(64), Set.of(A, B, C));
        assertThat(first.slots()).allMatch(a -> a.leaderSince() == first.epoch());

        SlotTable second = balancer.balance(first, Set.of(A, B)); // C died: its slots go to their followers
        for (int slot = 0; slot < 64; slot++) {
            boolean kept = second.slot(slot).leader().equals(first.slot(slot).leader());
            assertThat(second.slot(slot).leaderSince()).as("slot %d", slot)
                    .isEqualTo(kept ? first.epoch() : second.epoch());
        }
        assertThat(balancer.balance(second, Set.of(A, B))).as("balanced: the same table").isSameAs(second);
    }
}
