package dev.registry.meta.slot;

import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static dev.registry.meta.slot.SlotTables.assertBalanced;
import static dev.registry.meta.slot.SlotTables.changedSlots;
import static dev.registry.meta.slot.SlotTables.copiesHeldBy;
import static dev.registry.meta.slot.SlotTables.holders;
import static dev.registry.meta.slot.SlotTables.leaderChanges;
import static dev.registry.meta.slot.SlotTables.leaveDataLowerBound;
import static dev.registry.meta.slot.SlotTables.leaderRebalanceNeeded;
import static dev.registry.meta.slot.SlotTables.maxHeirLedSlots;
import static dev.registry.meta.slot.SlotTables.movedAssignments;
import static dev.registry.meta.slot.SlotTables.replicaMoves;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property tests over seeded random memberships: slot counts 1, 7, 64, 256; 0..12 live servers
 * out of a pool of 16; 1..3 replicas. Each case starts from a table reached by a random history of
 * memberships (so tables carry the scars of earlier changes), then applies one change.
 *
 * <p>Bounds asserted when one server joins ({@code n -> n+1}, {@code k} copies per slot
 * unchanged, {@code S} slots):
 * <ul>
 *   <li>data, exact minimum: only the joiner receives copies, {@code replicaMoves = copies(joiner)
 *       <= ceil(S*k/(n+1))};
 *   <li>leaders: {@code leaderChanges <= ceil(S/(n+1)) + JOIN_LEADER_SLACK};
 *   <li>(slot, role) assignments: {@code moved <= ceil(S*k/(n+1)) + JOIN_MOVED_SLACK}.
 * </ul>
 * When one server leaves ({@code n -> n-1}, {@code k} unchanged):
 * <ul>
 *   <li>data: {@code replicaMoves <= leaveDataLowerBound + LEAVE_DATA_SLACK} (the bound is every
 *       lost copy plus what the survivors cannot get by refilling those slots), and slots the
 *       dead server did not hold change holders only for those extra copies;
 *   <li>leaders: every slot the dead server led is led by its former follower, other slots keep
 *       their holders when their leader changes (in-slot swaps), and
 *       {@code leaderChanges <= leaders(dead) + 2 * needed + LEAVE_LEADER_SLACK}, where
 *       {@code needed} is the leader imbalance left by promoting each first follower (a lower
 *       bound on extra changes with 2 copies; when the dead server's heirs lead slots whose only
 *       other holder is busy too, a swap takes two hops).
 * </ul>
 * When several servers die at once, heirs lead as many orphaned slots as leader balance allows
 * (a b-matching bound); on tables with fewer than two slots per server, where leaders must form
 * an exact matching, up to {@code RIGID_HEIR_SLACK} fewer.
 *
 * <p>The slacks are the largest values seen over these seeded runs and over 5000-iteration runs
 * with other seeds; they come from 7- and 64-slot tables (256-slot tables need 0 join slack).
 * Kept as constants so a regression in move quality fails here.
 */
class SlotBalancerPropertyTest {
    private static final int ITERATIONS = 500;
    private static final int[] SLOT_COUNTS = {1, 7, 64, 256};
    private static final int POOL = 16;
    private static final int MAX_LIVE = 12;

    static final int JOIN_LEADER_SLACK = 2;
    static final int JOIN_MOVED_SLACK = 5;
    static final int LEAVE_DATA_SLACK = 1;
    static final int LEAVE_LEADER_SLACK = 4;
    static final int RIGID_HEIR_SLACK = 2;

    private record Case(int slots, int replicas, SlotBalancer balancer, SlotTable table, Set<String> live) {
        int copies() {
            return Math.min(replicas, live.size());
        }
    }

    @Test
    void anyInputTableBalancesToAValidTable() {
        Random rnd = new Random(1);
        for (int it = 0; it < ITERATIONS; it++) {
            int slots = SLOT_COUNTS[rnd.nextInt(SLOT_COUNTS.length)];
            int replicas = 1 + rnd.nextInt(3);
            SlotTable garbage = garbageTable(rnd, slots);
            Set<String> live = randomLive(rnd, rnd.nextInt(MAX_LIVE + 1));

            SlotTable out = new SlotBalancer(replicas).balance(garbage, live);

            String label = "iteration " + it + " replicas " + replicas + " live " + live + " from " + garbage.slots();
            assertBalanced(out, live, replicas, slots);
            assertEpochRule(garbage, out, label);
            assertThat(new SlotBalancer(replicas).balance(out, live)).as(label).isSameAs(out);
        }
    }

    @Test
    void stableMembershipReturnsTheSameTableAndEpoch() {
        Random rnd = new Random(2);
        for (int it = 0; it < ITERATIONS; it++) {
            Case c = randomCase(rnd);
            assertThat(c.balancer().balance(c.table(), c.live())).isSameAs(c.table());
            SlotTable copy = new SlotTable(c.table().epoch(), c.table().slots());
            SlotTable again = c.balancer().balance(copy, new HashSet<>(c.live()));
            assertThat(again.epoch()).isEqualTo(c.table().epoch());
            assertThat(again.sameAssignments(c.table())).isTrue();
        }
    }

    @Test
    void balancingIsDeterministicWhateverTheSetOrder() {
        Random rnd = new Random(3);
        for (int it = 0; it < ITERATIONS; it++) {
            int slots = SLOT_COUNTS[rnd.nextInt(SLOT_COUNTS.length)];
            int replicas = 1 + rnd.nextInt(3);
            SlotTable from = garbageTable(rnd, slots);
            List<String> live = new ArrayList<>(randomLive(rnd, rnd.nextInt(MAX_LIVE + 1)));
            Collections.shuffle(live, rnd);
            Set<String> insertionOrder = new LinkedHashSet<>(live);
            Collections.reverse(live);
            Set<String> reversed = new LinkedHashSet<>(live);

            SlotTable a = new SlotBalancer(replicas).balance(from, insertionOrder);
            SlotTable b = new SlotBalancer(replicas).balance(from, reversed);

            assertThat(b.epoch()).isEqualTo(a.epoch());
            assertThat(b.slots()).isEqualTo(a.slots());
        }
    }

    @Test
    void joiningServerTakesOnlyItsShare() {
        Random rnd = new Random(4);
        int joins = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            Case c = randomCase(rnd);
            String joiner = firstNotIn(c.live());
            Set<String> live = new TreeSet<>(c.live());
            live.add(joiner);
            int n = live.size();
            int k = Math.min(c.replicas(), n);
            int slots = c.slots();

            SlotTable after = c.balancer().balance(c.table(), live);

            String label = "join " + joiner + " to " + c.live() + " replicas " + c.replicas() + " slots " + slots;
            assertBalanced(after, live, c.replicas(), slots);
            assertEpochRule(c.table(), after, label);
            for (int s = 0; s < slots; s++) {
                Set<String> allowed = holders(c.table().slot(s));
                allowed.add(joiner);
                assertThat(allowed).as(label + ": only the joiner gains copies, slot " + s)
                        .containsAll(holders(after.slot(s)));
            }
            if (c.live().isEmpty()) {
                continue; // the first server simply takes every slot
            }
            if (k > c.copies()) {
                // fewer live servers than replicas: every slot gains the joiner as a copy
                assertThat(replicaMoves(c.table(), after)).as(label).isEqualTo(slots * (k - c.copies()));
                continue;
            }
            joins++;
            int share = ceilDiv(slots * k, n);
            assertThat(replicaMoves(c.table(), after)).as(label)
                    .isEqualTo(copiesHeldBy(after, joiner))
                    .isLessThanOrEqualTo(share);
            assertThat(leaderChanges(c.table(), after)).as(label)
                    .isGreaterThanOrEqualTo(after.slotsLedBy(joiner).size())
                    .isLessThanOrEqualTo(ceilDiv(slots, n) + JOIN_LEADER_SLACK);
            assertThat(movedAssignments(c.table(), after)).as(label)
                    .isLessThanOrEqualTo(share + JOIN_MOVED_SLACK);
        }
        assertThat(joins).as("joins with an unchanged copy count exercised").isGreaterThan(ITERATIONS / 3);
    }

    @Test
    void leavingServerMovesOnlyItsCopiesAndPromotesItsFollowers() {
        Random rnd = new Random(5);
        int leaves = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            Case c = randomCase(rnd);
            if (c.live().size() < 2) {
                continue;
            }
            List<String> members = new ArrayList<>(c.live());
            String dead = members.get(rnd.nextInt(members.size()));
            Set<String> live = new TreeSet<>(c.live());
            live.remove(dead);
            int k = Math.min(c.replicas(), live.size());
            SlotTable before = c.table();

            SlotTable after = c.balancer().balance(before, live);

            String label = "remove " + dead + " from " + c.live() + " replicas " + c.replicas() + " slots " + c.slots();
            assertBalanced(after, live, c.replicas(), c.slots());
            assertEpochRule(before, after, label);
            assertHeirsLead(before, after, live, label);
            if (k < c.copies()) {
                // fewer live servers than replicas: every slot just loses the dead server
                assertThat(replicaMoves(before, after)).as(label).isZero();
                continue;
            }
            leaves++;
            int lowerBound = leaveDataLowerBound(before, dead, live, k);
            int dataMoves = replicaMoves(before, after);
            assertThat(dataMoves).as(label).isLessThanOrEqualTo(lowerBound + LEAVE_DATA_SLACK);
            int newHoldersElsewhere = 0;
            int swapsElsewhere = 0;
            for (int s : changedSlots(before, after)) {
                if (!before.slot(s).involves(dead)) {
                    if (holders(before.slot(s)).equals(holders(after.slot(s)))) {
                        swapsElsewhere++;
                    } else {
                        newHoldersElsewhere++;
                    }
                }
            }
            assertThat(newHoldersElsewhere).as(label).isLessThanOrEqualTo(dataMoves - copiesHeldBy(before, dead));
            int deadLeads = before.slotsLedBy(dead).size();
            if (k == 1) {
                assertThat(leaderChanges(before, after)).as(label).isLessThanOrEqualTo(dataMoves);
            } else {
                int needed = leaderRebalanceNeeded(before, live);
                assertThat(leaderChanges(before, after)).as(label)
                        .isLessThanOrEqualTo(deadLeads + 2 * needed + LEAVE_LEADER_SLACK);
                assertThat(swapsElsewhere).as(label).isLessThanOrEqualTo(2 * needed + LEAVE_LEADER_SLACK);
            }
        }
        assertThat(leaves).as("leaves with an unchanged copy count exercised").isGreaterThan(ITERATIONS / 3);
    }

    @Test
    void serversDyingTogetherHandTheirSlotsToSurvivingFollowers() {
        Random rnd = new Random(8);
        for (int it = 0; it < ITERATIONS; it++) {
            Case c = randomCase(rnd);
            List<String> members = new ArrayList<>(c.live());
            Collections.shuffle(members, rnd);
            Set<String> live = new TreeSet<>(members.subList(0, members.isEmpty() ? 0 : rnd.nextInt(members.size())));

            SlotTable after = c.balancer().balance(c.table(), live);

            String label = "keep " + live + " of " + c.live() + " replicas " + c.replicas() + " slots " + c.slots();
            assertBalanced(after, live, c.replicas(), c.slots());
            assertHeirsLead(c.table(), after, live, label);
        }
    }

    @Test
    void everyServerDyingAtOnceLeavesNoLeader() {
        Random rnd = new Random(6);
        for (int it = 0; it < ITERATIONS / 10; it++) {
            Case c = randomCase(rnd);
            SlotTable after = c.balancer().balance(c.table(), Set.of());
            assertBalanced(after, Set.of(), c.replicas(), c.slots());
            assertEpochRule(c.table(), after, "all dead");
        }
    }

    @Test
    void repeatedBalancingConverges() {
        Random rnd = new Random(7);
        for (int it = 0; it < ITERATIONS; it++) {
            Case c = randomCase(rnd);
            Set<String> live = randomLive(rnd, rnd.nextInt(MAX_LIVE + 1));
            SlotTable once = c.balancer().balance(c.table(), live);
            SlotTable twice = c.balancer().balance(once, live);
            assertThat(twice).isSameAs(once);
            assertThat(twice.epoch()).isEqualTo(once.epoch());
        }
    }

    /** Unchanged assignments keep the epoch; any change is exactly one epoch newer. */
    private static void assertEpochRule(SlotTable before, SlotTable after, String label) {
        if (after.sameAssignments(before)) {
            assertThat(after.epoch()).as(label).isEqualTo(before.epoch());
        } else {
            assertThat(after.epoch()).as(label).isEqualTo(before.epoch() + 1);
        }
    }

    /**
     * Slots whose leader is gone but that kept a live follower are led by one of those followers,
     * as many as leader balance allows (each server leads at most ceil(S/n) slots): all of them
     * when one server leaves; up to {@code RIGID_HEIR_SLACK} fewer on tables with under two slots
     * per server when several leave at once.
     */
    private static void assertHeirsLead(SlotTable before, SlotTable after, Set<String> live, String label) {
        int heirLed = 0;
        for (SlotAssignment a : before.slots()) {
            if (a.leader() != null && live.contains(a.leader())) {
                continue;
            }
            List<String> heirs = new ArrayList<>(a.followers());
            heirs.retainAll(live);
            if (heirs.contains(after.slot(a.slotId()).leader())) {
                heirLed++;
            }
        }
        int possible = maxHeirLedSlots(before, live);
        boolean oneLeft = before.servers().size() - live.size() <= 1;
        int slack = oneLeft || before.slotCount() >= 2 * live.size() ? 0 : RIGID_HEIR_SLACK;
        assertThat(heirLed).as(label + ": orphaned slots led by a former follower")
                .isLessThanOrEqualTo(possible)
                .isGreaterThanOrEqualTo(possible - slack);
    }

    /** A balanced table after a seeded random history of 1..5 memberships. */
    private static Case randomCase(Random rnd) {
        int slots = SLOT_COUNTS[rnd.nextInt(SLOT_COUNTS.length)];
        int replicas = 1 + rnd.nextInt(3);
        SlotBalancer balancer = new SlotBalancer(replicas);
        SlotTable table = SlotTable.initial(slots).withEpoch(rnd.nextInt(100));
        Set<String> live = Set.of();
        int steps = 1 + rnd.nextInt(5);
        for (int i = 0; i < steps; i++) {
            live = randomLive(rnd, rnd.nextInt(MAX_LIVE + 1));
            table = balancer.balance(table, live);
        }
        assertBalanced(table, live, replicas, slots);
        return new Case(slots, replicas, balancer, table, live);
    }

    /** Anything a table could hold: unknown and dead servers, duplicates, leaderless slots, extra followers. */
    private static SlotTable garbageTable(Random rnd, int slots) {
        List<SlotAssignment> out = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            String leader = rnd.nextInt(5) == 0 ? null : server(rnd.nextInt(POOL + 2));
            List<String> followers = new ArrayList<>();
            int count = rnd.nextInt(5);
            for (int i = 0; i < count; i++) {
                followers.add(server(rnd.nextInt(POOL + 2)));
            }
            out.add(new SlotAssignment(s, leader, followers));
        }
        return new SlotTable(rnd.nextInt(1000), out);
    }

    private static Set<String> randomLive(Random rnd, int size) {
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < POOL; i++) {
            pool.add(server(i));
        }
        Collections.shuffle(pool, rnd);
        return new TreeSet<>(pool.subList(0, size));
    }

    private static String firstNotIn(Set<String> live) {
        for (int i = 0; i < POOL; i++) {
            if (!live.contains(server(i))) {
                return server(i);
            }
        }
        throw new IllegalStateException("pool exhausted");
    }

    static String server(int i) {
        return "10.0.0." + i + ":9620";
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
