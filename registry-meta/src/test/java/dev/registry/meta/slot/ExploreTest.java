package dev.registry.meta.slot;

import dev.registry.common.slot.SlotTable;
import org.junit.jupiter.api.Test;
import java.util.*;

class ExploreTest {
    static int dumps = 0, maxOverE = -99, sumE = 0, sumL = 0;
    static String name(int i) { return String.format("10.0.0.%d:9620", i); }

    @Test
    void explore() {
        Random rnd = new Random(42);
        int[] slotCounts = {1, 7, 64, 256};
        int maxJoinData = -99, maxJoinLeader = -99, maxLeaveData = -99, maxLeaveLeader = -99, maxUntouched = -99, heirFail = 0;
        int maxJoinMoved = -99, maxLeaveMoved = -99;
        String worst = "";
        long t0 = System.nanoTime();
        for (int it = 0; it < 3000; it++) {
            int slots = slotCounts[rnd.nextInt(4)];
            int r = 1 + rnd.nextInt(3);
            SlotBalancer b = new SlotBalancer(r);
            List<String> pool = new ArrayList<>();
            for (int i = 0; i < 16; i++) pool.add(name(i));
            Set<String> live = new TreeSet<>();
            SlotTable t = SlotTable.initial(slots);
            for (int step = 0; step < 6; step++) {
                live = new TreeSet<>();
                int n = rnd.nextInt(13);
                List<String> p = new ArrayList<>(pool); Collections.shuffle(p, rnd);
                live.addAll(p.subList(0, n));
                t = b.balance(t, live);
                SlotTables.assertBalanced(t, live, r, slots);
            }
            // join
            if (live.size() < 16) {
                String u = null; for (String s0 : pool) if (!live.contains(s0)) { u = s0; break; }
                Set<String> l2 = new TreeSet<>(live); l2.add(u);
                SlotTable t2 = b.balance(t, l2);
                SlotTables.assertBalanced(t2, l2, r, slots);
                int n2 = l2.size(); int k = Math.min(r, live.size()); int k2 = Math.min(r, n2);
                int lbData = Math.max(slots * (k2 - k), slots * k2 / n2);
                int d = SlotTables.replicaMoves(t, t2) - lbData;
                int lbLead = live.isEmpty() ? slots : slots / n2;
                int l = SlotTables.leaderChanges(t, t2) - lbLead;
                int m = SlotTables.movedAssignments(t, t2) - (int) Math.ceil(slots * (double) k2 / n2); if (k != k2) m = -99;
                if (k == k2 && l > 0) System.out.println("joinLeader slack " + l + " slots=" + slots + " r=" + r + " n=" + live.size());
                if (d > maxJoinData) { maxJoinData = d; worst = "joinData slots=" + slots + " r=" + r + " n=" + live.size(); }
                maxJoinLeader = Math.max(maxJoinLeader, l);
                maxJoinMoved = Math.max(maxJoinMoved, m);
            }
            if (!live.isEmpty()) {
                List<String> ll = new ArrayList<>(live);
                String dead = ll.get(rnd.nextInt(ll.size()));
                Set<String> l2 = new TreeSet<>(live); l2.remove(dead);
                SlotTable t2 = b.balance(t, l2);
                SlotTables.assertBalanced(t2, l2, r, slots);
                int k = Math.min(r, live.size()); int k2 = Math.min(r, l2.size());
                int lost = SlotTables.copiesHeldBy(t, dead);
                int lbData = Math.max(0, lost - slots * (k - k2));
                if (l2.isEmpty()) lbData = 0;
                int d = SlotTables.replicaMoves(t, t2) - lbData;
                int deadLeads = t.slotsLedBy(dead).size();
                int l = SlotTables.leaderChanges(t, t2) - (l2.isEmpty() ? 0 : deadLeads);
                int m = SlotTables.movedAssignments(t, t2) - (l2.isEmpty() ? 0 : lost);
                int excess = 0, deficit = 0;
                if (!l2.isEmpty()) {
                    Map<String,Integer> L = new TreeMap<>();
                    for (String x : l2) L.put(x, t.slotsLedBy(x).size());
                    for (int s : t.slotsLedBy(dead)) for (String f : t.slot(s).followers()) if (l2.contains(f)) { L.merge(f, 1, Integer::sum); break; }
                    int fl = slots / l2.size(), ce = (slots + l2.size() - 1) / l2.size();
                    for (int v : L.values()) { excess += Math.max(0, v - ce); deficit += Math.max(0, fl - v); }
                }
                int E = Math.max(excess, deficit);
                if (k == k2 && l - E > maxOverE) { maxOverE = l - E; }
                if (k == k2 && l - E > 0) { System.out.println("OVER E k=" + k + " slots=" + slots + " n=" + live.size() + " over=" + (l - E) + " E=" + E);  }
                if (k == k2 && k > 1) { sumE += E; sumL += l; }
                int untouched = 0;
                int untouchedMoved = 0;
                for (int s : SlotTables.changedSlots(t, t2)) if (!t.slot(s).involves(dead)) { untouched++; if (!SlotTables.holders(t.slot(s)).equals(SlotTables.holders(t2.slot(s)))) untouchedMoved++; }
                if (k == k2) System.out.println("STAT slots=" + slots + " k=" + k + " overE=" + (l - E) + " untouchedMoved=" + untouchedMoved + " dataSlack=" + d);
                if (k != k2) continue;
                if (d > maxLeaveData) { maxLeaveData = d; worst += " | leaveData slots=" + slots + " r=" + r + " n=" + live.size() + " d=" + d;}
                
                if (l > maxLeaveLeader) { maxLeaveLeader = l; worst += " | leaveLeader slots=" + slots + " r=" + r + " n=" + live.size() + " l=" + l; }
                maxLeaveMoved = Math.max(maxLeaveMoved, m);
                maxUntouched = Math.max(maxUntouched, untouched); if (untouched > 0) System.out.println("untouched " + untouched + " slots=" + slots + " r=" + r + " n=" + live.size() + " deadLeads=" + deadLeads + " leaderSlack=" + l);
                for (int s : t.slotsLedBy(dead)) {
                    List<String> heirs = new ArrayList<>(t.slot(s).followers()); heirs.retainAll(l2);
                    if (!heirs.isEmpty() && !heirs.contains(t2.slot(s).leader())) heirFail++;
                }
            }
        }
        System.out.println("maxOverE=" + maxOverE + " sumE=" + sumE + " sumL=" + sumL);
        System.out.printf("joinData=%d joinLeader=%d joinMoved=%d leaveData=%d leaveLeader=%d leaveMoved=%d untouched=%d heirFail=%d ms=%d%n%s%n",
            maxJoinData, maxJoinLeader, maxJoinMoved, maxLeaveData, maxLeaveLeader, maxLeaveMoved, maxUntouched, heirFail, (System.nanoTime()-t0)/1000000, worst);
    }
    static void dump(SlotTable t, SlotTable t2, String dead, Set<String> l2) {
        System.out.println("DUMP dead=" + dead + " lc=" + SlotTables.leaderChanges(t, t2) + " deadLeads=" + t.slotsLedBy(dead).size() + " rm=" + SlotTables.replicaMoves(t, t2));
        for (String s : new TreeSet<>(t.servers())) System.out.println("  " + s + " lead " + t.slotsLedBy(s).size() + " -> " + t2.slotsLedBy(s).size() + " copies " + SlotTables.copiesHeldBy(t, s) + " -> " + SlotTables.copiesHeldBy(t2, s));
        int kinds[] = new int[4];
        for (int s : SlotTables.changedSlots(t, t2)) {
            var a = t.slot(s); var b = t2.slot(s);
            boolean touch = a.involves(dead);
            boolean sameHolders = SlotTables.holders(a).equals(SlotTables.holders(b));
            kinds[(touch?2:0) + (sameHolders?1:0)]++;
            if (!touch && !sameHolders) System.out.println("  moved " + a + " -> " + b);
        }
        System.out.println("  untouched-moved=" + kinds[0] + " untouched-swap=" + kinds[1] + " touched=" + (kinds[2]+kinds[3]));
        if (false) throw new AssertionError();
    }
    static boolean liveContains(String s, SlotTable t, Set<String> live) { return live.contains(s); }
}
