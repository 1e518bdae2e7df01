package dev.registry.meta.slot;

import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Test helpers: balance invariants and change counts between two slot tables. */
final class SlotTables {
    private SlotTables() {
    }

    /** Slots whose leader differs. */
    static int leaderChanges(SlotTable a, SlotTable b) {
        int changes = 0;
        for (int i = 0; i < b.slotCount(); i++) {
            if (!java.util.Objects.equals(a.slot(i).leader(), b.slot(i).leader())) {
                changes++;
            }
        }
        return changes;
    }

    /** Copies placed on a server that did not hold the slot in {@code a}: data that must be copied. */
    static int replicaMoves(SlotTable a, SlotTable b) {
        int moves = 0;
        for (int i = 0; i < b.slotCount(); i++) {
            Set<String> before = holders(a.slot(i));
            for (String s : holders(b.slot(i))) {
                if (!before.contains(s)) {
                    moves++;
                }
            }
        }
        return moves;
    }

    /**
     * (slot, role) assignments of {@code b} that {@code a} does not have: a changed leader counts
     * one, every follower of {@code b} that was not a follower in {@code a} counts one. An in-slot
     * leader/follower swap therefore counts two, a copy moved to a new server one.
     */
    static int movedAssignments(SlotTable a, SlotTable b) {
        int moved = leaderChanges(a, b);
        for (int i = 0; i < b.slotCount(); i++) {
            Set<String> before = new HashSet<>(a.slot(i).followers());
            for (String f : b.slot(i).followers()) {
                if (!before.contains(f)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    /** Slots whose assignment (leader or followers, order included) differs. */
    static List<Integer> changedSlots(SlotTable a, SlotTable b) {
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < b.slotCount(); i++) {
            if (!a.slot(i).equals(b.slot(i))) {
                changed.add(i);
            }
        }
        return changed;
    }

    static Set<String> holders(SlotAssignment a) {
        Set<String> out = new HashSet<>(a.followers());
        if (a.leader() != null) {
            out.add(a.leader());
        }
        return out;
    }

    static int copiesHeldBy(SlotTable t, String server) {
        int n = 0;
        for (SlotAssignment a : t.slots()) {
            if (a.involves(server)) {
                n++;
            }
        }
        return n;
    }

    /** Every invariant the balancer promises for {@code live} and {@code replicas}. */
    static void assertBalanced(SlotTable t, Set<String> live, int replicas, int slotCount) {
        assertThat(t.slotCount()).isEqualTo(slotCount);
        int n = live.size();
        if (n == 0) {
            for (SlotAssignment a : t.slots()) {
                assertThat(a.leader()).as("slot %s", a).isNull();
                assertThat(a.followers()).as("slot %s", a).isEmpty();
            }
            return;
        }
        int k = Math.min(replicas, n);
        Map<String, Integer> leaders = new TreeMap<>();
        Map<String, Integer> totals = new TreeMap<>();
        for (String s : live) {
            leaders.put(s, 0);
            totals.put(s, 0);
        }
        for (SlotAssignment a : t.slots()) {
            assertThat(a.leader()).as("slot %s has a live leader", a).isNotNull().isIn(live);
            assertThat(a.followers()).as("slot %s followers", a)
                    .hasSize(k - 1)
                    .doesNotHaveDuplicates()
                    .doesNotContain(a.leader())
                    .allMatch(live::contains);
            leaders.merge(a.leader(), 1, Integer::sum);
            for (String s : holders(a)) {
                totals.merge(s, 1, Integer::sum);
            }
        }
        int leaderFloor = slotCount / n;
        int leaderCeil = (slotCount + n - 1) / n;
        int totalFloor = slotCount * k / n;
        int totalCeil = (slotCount * k + n - 1) / n;
        assertThat(leaders.values()).as("leader counts %s", leaders)
                .allMatch(c -> c >= leaderFloor && c <= leaderCeil);
        assertThat(totals.values()).as("copy counts %s", totals)
                .allMatch(c -> c >= totalFloor && c <= totalCeil);
    }
}
