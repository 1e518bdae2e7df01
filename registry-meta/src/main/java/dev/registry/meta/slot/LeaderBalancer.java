package dev.registry.meta.slot;

import java.util.Arrays;
import java.util.List;

/**
 * The last step of a {@link SlotBalancer} run, once copies are balanced: moves leadership inside
 * slots, never data. Changes the run's copy lists (first element the leader) and leader counts in
 * place; the other arrays say what the table was before the run and are only read.
 *
 * <p>Threading: one per balancing run, on that run's thread.
 */
final class LeaderBalancer {
    private final int n;
    private final int slotCount;
    /** [slot]: the servers holding it, leader first. */
    private final List<List<Integer>> copies;
    /** [server]: slots it leads. */
    private final int[] leaders;
    private final int leaderFloor;
    private final int leaderCeil;
    /** [slot][server]: the server holds a copy of the slot now. */
    private final boolean[][] holds;
    /** [slot][server]: the server held the slot before this run, so it has the data. */
    private final boolean[][] original;
    /** [slot]: the leader before this run, or -1 if it is dead or there was none. */
    private final int[] originalLeader;
    /** [slot]: its leader died, so a surviving follower was promoted in this run. */
    private final boolean[] promoted;
    /** [slot][server]: a surviving follower of a slot whose leader is gone. */
    private final boolean[][] heir;

    LeaderBalancer(List<List<Integer>> copies, int[] leaders, int leaderFloor, int leaderCeil, boolean[][] holds,
            boolean[][] original, int[] originalLeader, boolean[] promoted, boolean[][] heir) {
        this.n = leaders.length;
        this.slotCount = copies.size();
        this.copies = copies;
        this.leaders = leaders;
        this.leaderFloor = leaderFloor;
        this.leaderCeil = leaderCeil;
        this.holds = holds;
        this.original = original;
        this.originalLeader = originalLeader;
        this.promoted = promoted;
        this.heir = heir;
    }

    /**
     * Brings every leader count into [floor, ceil] by the cheapest chains of in-slot
     * leader/follower swaps (no data moves). A chain always exists once copies are balanced (a
     * Hall argument: servers closed under such swaps hold too few copies to lead too many or
     * too few slots).
     */
    void balance() {
        while (true) {
            int over = -1;
            int under = -1;
            for (int s = 0; s < n; s++) {
                if (over < 0 && leaders[s] > leaderCeil) {
                    over = s;
                }
                if (under < 0 && leaders[s] < leaderFloor) {
                    under = s;
                }
            }
            if (over < 0 && under < 0) {
                return;
            }
            if (!swapChain(over >= 0 ? over : under, over >= 0)) {
                throw new IllegalStateException("no leader swap chain (unreachable once copies are balanced)");
            }
        }
    }

    /**
     * Dijkstra over servers, then applies the chain found. Shedding walks (leader of a slot ->
     * a follower of it) from an over-full server to one below ceil; gaining walks (follower ->
     * leader) from an under-full server to one above floor. An edge is one in-slot swap. Cost,
     * most significant first: taking a promoted slot from its heir for a server that is no
     * heir of it; a slot whose leader changes from the one it had before this run (a slot
     * already changed, e.g. a promoted heir handing over to another heir, is free); handing
     * leadership to a copy placed in this run (it has no data yet). Equal costs go to the
     * lower server index; slots are visited in order: deterministic.
     */
    private boolean swapChain(int start, boolean shed) {
        long change = n + 1L; // above any number of fresh-leader penalties on a simple path
        long heirLoss = change * (n + 1L); // above any number of changes on a simple path
        long[] dist = new long[n];
        Arrays.fill(dist, Long.MAX_VALUE);
        int[] viaSlot = new int[n];
        int[] prev = new int[n];
        boolean[] done = new boolean[n];
        dist[start] = 0;
        while (true) {
            int p = -1;
            for (int i = 0; i < n; i++) {
                if (!done[i] && dist[i] != Long.MAX_VALUE && (p < 0 || dist[i] < dist[p])) {
                    p = i;
                }
            }
            if (p < 0) {
                break;
            }
            done[p] = true;
            for (int slot = 0; slot < slotCount; slot++) {
                List<Integer> c = copies.get(slot);
                int leader = c.get(0);
                if (shed ? leader != p : leader == p || !holds[slot][p]) {
                    continue;
                }
                long cost = leader == originalLeader[slot] ? change : 0;
                for (int i = shed ? 1 : 0; i < (shed ? c.size() : 1); i++) {
                    int next = c.get(i);
                    int newLeader = shed ? next : p;
                    if (done[next]) {
                        continue;
                    }
                    boolean losesHeir = promoted[slot] && heir[slot][leader] && !heir[slot][newLeader];
                    long d = dist[p] + cost + (losesHeir ? heirLoss : 0) + (original[slot][newLeader] ? 0 : 1);
                    if (d < dist[next]) {
                        dist[next] = d;
                        viaSlot[next] = slot;
                        prev[next] = p;
                    }
                }
            }
        }
        // The cheapest end; one that is itself out of range (under floor when shedding, over
        // ceil when gaining) fixes two servers with one chain, worth one slot change.
        int end = -1;
        long endCost = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (i == start || dist[i] == Long.MAX_VALUE
                    || (shed ? leaders[i] >= leaderCeil : leaders[i] <= leaderFloor)) {
                continue;
            }
            boolean outOfRange = shed ? leaders[i] < leaderFloor : leaders[i] > leaderCeil;
            long cost = dist[i] - (outOfRange ? change : 0);
            if (cost < endCost) {
                endCost = cost;
                end = i;
            }
        }
        if (end < 0) {
            return false;
        }
        for (int cur = end; cur != start; cur = prev[cur]) {
            // shed: cur takes viaSlot[cur] from prev[cur]; gain: prev[cur] takes it from cur
            swapLeader(viaSlot[cur], shed ? cur : prev[cur]);
        }
        return true;
    }

    /** {@code follower} leads {@code slot}; the old leader takes the follower's place. */
    private void swapLeader(int slot, int follower) {
        List<Integer> c = copies.get(slot);
        int i = c.indexOf(follower);
        int oldLeader = c.get(0);
        c.set(0, follower);
        c.set(i, oldLeader);
        leaders[oldLeader]--;
        leaders[follower]++;
    }
}
