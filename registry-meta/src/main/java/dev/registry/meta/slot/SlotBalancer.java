package dev.registry.meta.slot;

import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Assigns every slot one leader and {@code replicas - 1} followers among the live data servers.
 *
 * <p>{@link #balance} is a pure, deterministic function of (current table, live servers): no
 * clock, no randomness, servers visited in sorted order. With {@code n} live servers, {@code S}
 * slots and {@code k = min(replicas, n)} copies per slot the result guarantees:
 * <ul>
 *   <li>every slot has one live leader and {@code k - 1} distinct live followers (no leader and
 *       no followers only when nothing is live);
 *   <li>every server leads {@code floor(S/n)} or {@code ceil(S/n)} slots and holds
 *       {@code floor(S*k/n)} or {@code ceil(S*k/n)} copies;
 *   <li>a slot whose leader died is led by a surviving follower, the first listed one unless
 *       leader balance needs another (only when several servers die at once on a table with
 *       under two slots per server can balance force a slot to a server without its data);
 *   <li>few moves: copies go only from servers above their share to servers below it, copies
 *       that hold data only when no chain of newly placed copies can do it; leader balance is
 *       restored by swapping roles inside slots (no data moves), by the chains that change the
 *       fewest slots;
 *   <li>a table that already satisfies all of the above is returned as is (same instance, same
 *       epoch); any change yields epoch {@code current.epoch() + 1}.
 * </ul>
 *
 * <p>Immutable and stateless: safe to share between threads.
 */
public final class SlotBalancer {
    public static final int DEFAULT_REPLICAS = 2;

    private final int replicas;

    /** @param replicas copies of every slot in all: one leader plus {@code replicas - 1} followers */
    public SlotBalancer(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1: " + replicas);
        }
        this.replicas = replicas;
    }

    public int replicas() {
        return replicas;
    }

    /** The balanced table for {@code liveDataServers}; {@code current} itself when nothing changes. */
    public SlotTable balance(SlotTable current, Set<String> liveDataServers) {
        Objects.requireNonNull(current, "current");
        List<String> servers = List.copyOf(new TreeSet<>(liveDataServers)); // sorted: determinism
        List<SlotAssignment> next = new Layout(current, servers, Math.min(replicas, servers.size())).balance();
        if (next.equals(current.slots())) {
            return current;
        }
        long epoch = current.epoch() + 1;
        List<SlotAssignment> stamped = new java.util.ArrayList<>(next.size());
        for (SlotAssignment a : next) {
            SlotAssignment before = current.slot(a.slotId());
            long since = a.leader() == null ? 0
                    : Objects.equals(a.leader(), before.leader()) ? before.leaderSince() : epoch;
            stamped.add(new SlotAssignment(a.slotId(), a.leader(), a.followers(), since));
        }
        return new SlotTable(current.term(), epoch, stamped);
    }

    /**
     * Working copy of one balancing run. Servers are indexes into the sorted live list; a slot's
     * copies are a list whose first element is the leader. Steps, each a no-op on a balanced table:
     * drop dead servers (promoting a follower), trim surplus copies, fill missing copies, move
     * copies from servers above their share to servers below it, then fix leader counts by the
     * cheapest chains of leader/follower swaps inside slots ({@link LeaderBalancer}).
     */
    private static final class Layout {
        private final List<String> names;
        private final int n;
        private final int k;
        private final int slotCount;
        private final List<List<Integer>> copies;
        /** [slot][server]: the server held the slot before this run, so it has the data. */
        private final boolean[][] original;
        /** [slot][server]: the server holds a copy of the slot now. */
        private final boolean[][] holds;
        /** [slot][server]: a surviving follower of a slot whose leader is gone. */
        private final boolean[][] heir;
        private final boolean[] promoted;
        /** [slot]: the leader before this run, or -1 if it is dead or there was none. */
        private final int[] originalLeader;
        /** [a][b]: slots held by both servers; spreading pairs spreads the promotions of a failure. */
        private final int[][] shared;
        private final int[] total;
        private final int[] leaders;
        private final int[] target;
        private final int leaderFloor;
        private final int leaderCeil;

        Layout(SlotTable current, List<String> names, int k) {
            this.names = names;
            this.n = names.size();
            this.k = k;
            this.slotCount = current.slotCount();
            this.copies = new ArrayList<>(slotCount);
            this.original = new boolean[slotCount][n];
            this.heir = new boolean[slotCount][n];
            this.holds = new boolean[slotCount][n];
            this.promoted = new boolean[slotCount];
            this.originalLeader = new int[slotCount];
            this.shared = new int[n][n];
            this.total = new int[n];
            this.leaders = new int[n];
            this.target = new int[n];
            this.leaderFloor = n == 0 ? 0 : slotCount / n;
            this.leaderCeil = n == 0 ? 0 : (slotCount + n - 1) / n;
            removeDead(current);
        }

        List<SlotAssignment> balance() {
            if (n > 0) {
                trimSurplusCopies();
                chooseTargets();
                fillMissingCopies();
                balanceCopies();
                new LeaderBalancer(copies, leaders, leaderFloor, leaderCeil, holds, original, originalLeader,
                        promoted, heir).balance();
            }
            List<SlotAssignment> out = new ArrayList<>(slotCount);
            for (int slot = 0; slot < slotCount; slot++) {
                List<Integer> c = copies.get(slot);
                String leader = c.isEmpty() ? null : names.get(c.get(0));
                List<String> followers = new ArrayList<>(Math.max(0, c.size() - 1));
                for (int i = 1; i < c.size(); i++) {
                    followers.add(names.get(c.get(i)));
                }
                out.add(new SlotAssignment(slot, leader, followers));
            }
            return out;
        }

        /** Keeps live copies in their order; a lost leader is replaced by the first surviving follower. */
        private void removeDead(SlotTable current) {
            Map<String, Integer> index = new HashMap<>(); // lookup only, never iterated
            for (int i = 0; i < n; i++) {
                index.put(names.get(i), i);
            }
            for (int slot = 0; slot < slotCount; slot++) {
                SlotAssignment a = current.slot(slot);
                List<Integer> live = new ArrayList<>(k + 1);
                Integer leader = a.leader() == null ? null : index.get(a.leader());
                if (leader != null) {
                    live.add(leader);
                }
                for (String f : a.followers()) {
                    Integer i = index.get(f);
                    if (i != null && !live.contains(i)) {
                        live.add(i);
                    }
                }
                originalLeader[slot] = leader == null ? -1 : leader;
                if (leader == null && !live.isEmpty()) {
                    promoted[slot] = true;
                    for (int c : live) {
                        heir[slot][c] = true;
                    }
                }
                for (int c : live) {
                    original[slot][c] = true;
                    holds[slot][c] = true;
                    total[c]++;
                    for (int other : live) {
                        if (other != c) {
                            shared[c][other]++;
                        }
                    }
                }
                if (!live.isEmpty()) {
                    leaders[live.get(0)]++;
                }
                copies.add(live);
            }
        }

        /** Fewer replicas than copies held (replicas lowered): drop followers on the busiest servers. */
        private void trimSurplusCopies() {
            for (int slot = 0; slot < slotCount; slot++) {
                List<Integer> c = copies.get(slot);
                while (c.size() > k) {
                    int drop = 1;
                    for (int i = 2; i < c.size(); i++) {
                        if (total[c.get(i)] >= total[c.get(drop)]) {
                            drop = i;
                        }
                    }
                    int dropped = c.remove(drop);
                    holds[slot][dropped] = false;
                    total[dropped]--;
                    for (int other : c) {
                        shared[dropped][other]--;
                        shared[other][dropped]--;
                    }
                }
            }
        }

        /** Share of copies per server: the busiest servers keep the remainder, so fewest copies move. */
        private void chooseTargets() {
            int all = slotCount * k;
            int base = all / n;
            int extra = all % n;
            Integer[] byLoad = new Integer[n];
            for (int i = 0; i < n; i++) {
                byLoad[i] = i;
            }
            Arrays.sort(byLoad, (a, b) -> total[a] != total[b] ? Integer.compare(total[b], total[a])
                    : Integer.compare(a, b));
            for (int r = 0; r < n; r++) {
                target[byLoad[r]] = base + (r < extra ? 1 : 0);
            }
        }

        /**
         * Places missing copies on servers still below their share, spreading within that: a
         * slot without copies gets the server leading the fewest slots; its first follower (the
         * heir if the leader dies) the server that is heir to the fewest of that leader's slots,
         * so a failure spreads its promotions instead of piling them on one server; further
         * followers the server sharing the fewest slots with the slot's holders. Then the
         * server furthest below its share, then the lowest index.
         */
        private void fillMissingCopies() {
            int[][] heirOf = new int[n][n]; // [leader][first follower]
            for (List<Integer> c : copies) {
                if (c.size() > 1) {
                    heirOf[c.get(0)][c.get(1)]++;
                }
            }
            for (int slot = 0; slot < slotCount; slot++) {
                List<Integer> c = copies.get(slot);
                while (c.size() < k) {
                    int best = -1;
                    long bestKey = Long.MAX_VALUE;
                    for (int s = 0; s < n; s++) {
                        if (holds[slot][s]) {
                            continue;
                        }
                        int spread = 0;
                        if (c.isEmpty()) {
                            spread = leaders[s];
                        } else if (c.size() == 1) {
                            spread = heirOf[c.get(0)][s];
                        } else {
                            for (int other : c) {
                                spread += shared[other][s];
                            }
                        }
                        int full = total[s] >= target[s] ? 1 : 0;
                        long key = ((long) full << 62) + ((long) spread << 32) + (total[s] - target[s] + slotCount);
                        if (key < bestKey) {
                            bestKey = key;
                            best = s;
                        }
                    }
                    if (c.isEmpty()) {
                        leaders[best]++;
                    } else if (c.size() == 1) {
                        heirOf[c.get(0)][best]++;
                    }
                    for (int other : c) {
                        shared[other][best]++;
                        shared[best][other]++;
                    }
                    c.add(best);
                    holds[slot][best] = true;
                    total[best]++;
                }
            }
        }

        /**
         * Takes one copy at a time from the server most above its share to a server below it:
         * along a chain that copies no data if there is one (handing on copies placed in this
         * run), else directly. A direct move always exists (the giver holds more copies than the
         * taker, so some slot has the giver and not the taker), and each step shrinks the
         * imbalance by one, so this ends.
         */
        private void balanceCopies() {
            while (true) {
                int giver = -1;
                for (int s = 0; s < n; s++) {
                    int surplus = total[s] - target[s];
                    if (surplus > 0 && (giver < 0 || surplus > total[giver] - target[giver]
                            || surplus == total[giver] - target[giver] && leaders[s] > leaders[giver])) {
                        giver = s;
                    }
                }
                if (giver < 0) {
                    return;
                }
                if (!moveAlongFreeChain(giver)) {
                    moveDirectly(giver);
                }
            }
        }

        /**
         * Breadth-first over moves that copy no data: a copy placed in this run (or one the taker
         * held before this run) handed on; never a promoted leader. True if it reached a server
         * below its share and applied the chain.
         */
        private boolean moveAlongFreeChain(int giver) {
            int[] viaSlot = new int[n];
            int[] prev = new int[n];
            boolean[] seen = new boolean[n];
            seen[giver] = true;
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            queue.add(giver);
            while (!queue.isEmpty()) {
                int s = queue.poll();
                for (int slot = 0; slot < slotCount; slot++) {
                    if (!holds[slot][s] || isPromotedLeader(slot, s)) {
                        continue;
                    }
                    for (int w = 0; w < n; w++) {
                        if (seen[w] || holds[slot][w] || dataCost(slot, s, w) > 0) {
                            continue;
                        }
                        seen[w] = true;
                        viaSlot[w] = slot;
                        prev[w] = s;
                        if (total[w] < target[w]) {
                            List<Integer> path = new ArrayList<>();
                            for (int cur = w; cur != giver; cur = prev[cur]) {
                                path.add(cur);
                            }
                            for (int i = path.size() - 1; i >= 0; i--) {
                                int to = path.get(i);
                                moveCopy(viaSlot[to], prev[to], to);
                            }
                            return true;
                        }
                        queue.add(w);
                    }
                }
            }
            return false;
        }

        /**
         * Hands the giver's best slot ({@link #slotKey}) to the server furthest below its share
         * (fewer leaders, then lower index, on ties), passing over takers for which that slot
         * would be a promoted leader's when another taker avoids it.
         */
        private void moveDirectly(int giver) {
            List<Integer> takers = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                if (total[s] < target[s]) {
                    takers.add(s);
                }
            }
            takers.sort((a, b) -> target[a] - total[a] != target[b] - total[b]
                    ? Integer.compare(target[b] - total[b], target[a] - total[a])
                    : leaders[a] != leaders[b] ? Integer.compare(leaders[a], leaders[b]) : Integer.compare(a, b));
            int fallbackSlot = -1;
            int fallbackTaker = -1;
            for (int taker : takers) {
                int best = -1;
                long bestKey = Long.MAX_VALUE;
                for (int slot = 0; slot < slotCount; slot++) {
                    if (holds[slot][giver] && !holds[slot][taker]) {
                        long key = slotKey(slot, giver, taker);
                        if (key < bestKey) {
                            bestKey = key;
                            best = slot;
                        }
                    }
                }
                if (best >= 0 && !isPromotedLeader(best, giver)) {
                    moveCopy(best, giver, taker);
                    return;
                }
                if (best >= 0 && fallbackSlot < 0) {
                    fallbackSlot = best;
                    fallbackTaker = taker;
                }
            }
            if (fallbackSlot < 0) {
                throw new IllegalStateException("no copy move from " + names.get(giver)
                        + " (unreachable: it holds more copies than a server below its share)");
            }
            moveCopy(fallbackSlot, giver, fallbackTaker);
        }

        /**
         * Rank of handing {@code slot} from giver to taker, lowest best: not a promoted leader, then
         * the fewest new data copies, then the role that helps leader balance, then the fewest slots
         * the taker already shares with the slot's other holders (spreading pairs spreads the
         * promotions of a later failure).
         */
        private long slotKey(int slot, int giver, int taker) {
            List<Integer> c = copies.get(slot);
            boolean isLeader = c.get(0) == giver;
            boolean leaderMoveHelps = leaders[giver] > leaderFloor && leaders[taker] < leaderFloor
                    || leaders[giver] > leaderCeil && leaders[taker] < leaderCeil;
            int roleCost = isLeader == leaderMoveHelps ? 0 : 1;
            int pairCost = slotCount * k;
            for (int other : c) {
                if (other != giver) {
                    pairCost += shared[taker][other] - shared[giver][other];
                }
            }
            int rank = ((isPromotedLeader(slot, giver) ? 3 : 0) + dataCost(slot, giver, taker) + 1) * 2 + roleCost;
            return ((long) rank << 32) + pairCost;
        }

        /** New data copies caused by handing {@code slot} from giver to taker: -1, 0 or 1. */
        private int dataCost(int slot, int giver, int taker) {
            return (original[slot][taker] ? 0 : 1) - (original[slot][giver] ? 0 : 1);
        }

        private boolean isPromotedLeader(int slot, int server) {
            return promoted[slot] && copies.get(slot).get(0) == server;
        }

        private void moveCopy(int slot, int from, int to) {
            List<Integer> c = copies.get(slot);
            int i = c.indexOf(from);
            c.set(i, to);
            holds[slot][from] = false;
            holds[slot][to] = true;
            for (int other : c) {
                if (other != to) {
                    shared[from][other]--;
                    shared[other][from]--;
                    shared[to][other]++;
                    shared[other][to]++;
                }
            }
            total[from]--;
            total[to]++;
            if (i == 0) {
                leaders[from]--;
                leaders[to]++;
            }
        }
    }
}
