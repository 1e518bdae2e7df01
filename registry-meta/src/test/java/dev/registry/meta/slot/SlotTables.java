package dev.registry.meta.slot;

import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
            if (!Objects.equals(a.slot(i).leader(), b.slot(i).leader())) {
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

    /**
     * Leader changes beyond the promotions themselves that balance needs when every slot whose
     * leader left {@code live} is led by its first live follower: the larger of the total excess
     * over ceil(S/n) and the total shortfall under floor(S/n), since one leader change moves one
     * unit. A lower bound with 2 copies per slot; with 3 the balancer may pick the other
     * follower and need fewer.
     */
    static int leaderRebalanceNeeded(SlotTable before, Set<String> live) {
        Map<String, Integer> leads = new TreeMap<>();
        for (String s : live) {
            leads.put(s, 0);
        }
        for (SlotAssignment a : before.slots()) {
            if (a.leader() != null && live.contains(a.leader())) {
                leads.merge(a.leader(), 1, Integer::sum);
                continue;
            }
            for (String f : a.followers()) {
                if (live.contains(f)) {
                    leads.merge(f, 1, Integer::sum);
                    break;
                }
            }
        }
        int n = live.size();
        int floor = before.slotCount() / n;
        int ceil = (before.slotCount() + n - 1) / n;
        int excess = 0;
        int shortfall = 0;
        for (int c : leads.values()) {
            excess += Math.max(0, c - ceil);
            shortfall += Math.max(0, floor - c);
        }
        return Math.max(excess, shortfall);
    }

    /**
     * A lower bound on the copies that must be placed when {@code dead} leaves and every slot
     * keeps {@code k} copies: every copy it held ({@code lost}), plus, for each live server, the
     * copies it still lacks to reach floor(S*k/n) after taking one in every slot that lost a copy
     * and that it does not hold yet; those can only come by displacing an existing copy.
     */
    static int leaveDataLowerBound(SlotTable before, String dead, Set<String> live, int k) {
        int lost = copiesHeldBy(before, dead);
        int floor = before.slotCount() * k / live.size();
        int displaced = 0;
        for (String s : live) {
            int fillable = 0;
            for (SlotAssignment a : before.slots()) {
                if (a.involves(dead) && !a.involves(s)) {
                    fillable++;
                }
            }
            displaced += Math.max(0, floor - copiesHeldBy(before, s) - fillable);
        }
        return lost + displaced;
    }

    /**
     * The most slots whose leader left {@code live} that can be led by one of their live former
     * followers when no server leads more than ceil(S/n) slots (a bipartite b-matching).
     */
    static int maxHeirLedSlots(SlotTable before, Set<String> live) {
        List<List<String>> heirs = new ArrayList<>();
        for (SlotAssignment a : before.slots()) {
            if (a.leader() != null && live.contains(a.leader())) {
                continue;
            }
            List<String> h = new ArrayList<>(a.followers());
            h.retainAll(live);
            if (!h.isEmpty()) {
                heirs.add(h);
            }
        }
        int cap = (before.slotCount() + live.size() - 1) / Math.max(1, live.size());
        Map<String, List<Integer>> assigned = new TreeMap<>();
        int matched = 0;
        for (int slot = 0; slot < heirs.size(); slot++) {
            if (augment(slot, heirs, assigned, cap, new HashSet<>())) {
                matched++;
            }
        }
        return matched;
    }

    private static boolean augment(int slot, List<List<String>> heirs, Map<String, List<Integer>> assigned,
                                   int cap, Set<String> visited) {
        for (String h : heirs.get(slot)) {
            if (!visited.add(h)) {
                continue;
            }
            List<Integer> led = assigned.computeIfAbsent(h, x -> new ArrayList<>());
            if (led.size() < cap) {
                led.add(slot);
                return true;
            }
            for (int i = 0; i < led.size(); i++) {
                if (augment(led.get(i), heirs, assigned, cap, visited)) {
                    led.set(i, slot);
                    return true;
                }
            }
        }
        return false;
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
