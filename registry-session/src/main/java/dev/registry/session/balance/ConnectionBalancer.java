package dev.registry.session.balance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides, from every session's client count, how many of one session's clients should move
 * to which other session. Pure: the same counts give the same plan on every session, so the
 * sessions above the average split the sessions below it between them without talking to
 * each other (each fills its share of every deficit, by its share of the total excess).
 *
 * <p>Clients only move when this session holds clearly more than its share (more than
 * {@code tolerance} of the average above it, and at least one client), or more than the
 * average while another session holds clearly less than its share; and at most a budget
 * per round: a restarted or new session fills up gradually, and nothing oscillates.
 */
public final class ConnectionBalancer {

    /**
     * @param enabled          balance at all
     * @param interval         time between rounds; longer than two meta heartbeats, so each round sees counts
     *                         that include the previous round's moves
     * @param tolerance        fraction of the average a session may exceed it by before it moves clients
     * @param maxMovesPerRound at least this many moves per round are allowed
     * @param maxMoveFraction  ... or this fraction of the session's clients, whichever is larger
     */
    public record Settings(boolean enabled, Duration interval, double tolerance, int maxMovesPerRound,
                           double maxMoveFraction) {
        public Settings {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("balance interval must be positive");
            }
            if (!(tolerance >= 0 && tolerance < 1)) {
                throw new IllegalArgumentException("balance tolerance must be in [0, 1)");
            }
            if (maxMovesPerRound < 1) {
                throw new IllegalArgumentException("balance moves per round must be at least 1");
            }
            if (!(maxMoveFraction >= 0 && maxMoveFraction <= 1)) {
                throw new IllegalArgumentException("balance move fraction must be in [0, 1]");
            }
        }

        /** Every 5 s, within 5 % of the average, up to max(20, 5 % of the session's clients) per round. */
        public static Settings defaults() {
            return new Settings(true, Duration.ofSeconds(5), 0.05, 20, 0.05);
        }

        public static Settings disabled() {
            return new Settings(false, Duration.ofSeconds(5), 0.05, 20, 0.05);
        }

        public Settings withInterval(Duration every) {
            return new Settings(enabled, every, tolerance, maxMovesPerRound, maxMoveFraction);
        }

        /** The most clients a session holding {@code clients} may move in one round. */
        public int budget(int clients) {
            return Math.max(maxMovesPerRound, (int) Math.ceil(clients * maxMoveFraction));
        }
    }

    private ConnectionBalancer() {
    }

    /**
     * Decides whether a round acts on its plan: only on a settled picture. The client total
     * must be what it was last round (no clients arriving, leaving or in the middle of a move:
     * while clients connect, each session's own count is fresher than the others' and every
     * session would see itself above the rest), and the imbalance must have been seen last
     * round too. Not thread-safe: one balancing thread owns it.
     */
    public static final class Damper {
        private long lastTotal = -1;
        private boolean lastWanted;

        /**
         * @param counts the round's client counts (negative: takes no clients)
         * @param wanted the round's plan is not empty
         */
        public boolean shouldAct(Map<String, Integer> counts, double tolerance, boolean wanted) {
            long total = 0;
            int sessions = 0;
            for (Integer n : counts.values()) {
                if (n != null && n >= 0) {
                    total += n;
                    sessions++;
                }
            }
            double slack = sessions == 0 ? 1 : Math.max(1.0, (double) total / sessions * tolerance);
            boolean settled = lastTotal >= 0 && Math.abs(total - lastTotal) <= slack;
            boolean act = settled && wanted && lastWanted;
            lastTotal = total;
            // After acting, the moves must show up in the counts before the next decision.
            lastWanted = wanted && !act;
            return act;
        }
    }

    private static boolean isSource(int n, double average, double slack, long ceil, boolean someoneStarved) {
        return n - average > slack || (someoneStarved && n > ceil);
    }

    /**
     * @param self   this session's id
     * @param counts client connections per session; negative = takes no clients now (draining,
     *               starting): neither a source nor a target, and not part of the average
     * @param tolerance see {@link Settings#tolerance()}
     * @param budget the most moves this round
     * @return target session -> clients to move there (empty: stay)
     */
    public static Map<String, Integer> plan(String self, Map<String, Integer> counts, double tolerance, int budget) {
        Map<String, Integer> accepting = new TreeMap<>(); // sorted: the same plan everywhere
        counts.forEach((session, n) -> {
            if (n != null && n >= 0) {
                accepting.put(session, n);
            }
        });
        Integer mine = accepting.get(self);
        if (mine == null || accepting.size() < 2 || budget <= 0) {
            return Map.of();
        }
        long total = 0;
        for (int n : accepting.values()) {
            total += n;
        }
        double average = (double) total / accepting.size();
        double slack = Math.max(1.0, average * tolerance);
        long ceil = (long) Math.ceil(average);
        long floor = (long) Math.floor(average);
        // A session far below the average pulls from every session above it, not only from
        // those far above: otherwise several sessions just inside the tolerance could keep one
        // session far outside it.
        boolean someoneStarved = false;
        for (int n : accepting.values()) {
            someoneStarved |= average - n > slack;
        }
        long totalExcess = 0;
        for (int n : accepting.values()) {
            if (isSource(n, average, slack, ceil, someoneStarved)) {
                totalExcess += n - ceil;
            }
        }
        if (!isSource(mine, average, slack, ceil, someoneStarved)) {
            return Map.of();
        }
        long myExcess = mine - ceil;
        if (myExcess <= 0 || totalExcess <= 0) {
            return Map.of();
        }
        // My share of every deficit, in proportion to my share of the excess.
        Map<String, Double> raw = new LinkedHashMap<>();
        double sum = 0;
        for (Map.Entry<String, Integer> e : accepting.entrySet()) {
            long deficit = floor - e.getValue();
            if (deficit > 0 && !e.getKey().equals(self)) {
                double share = (double) deficit * myExcess / totalExcess;
                raw.put(e.getKey(), share);
                sum += share;
            }
        }
        if (sum <= 0) {
            return Map.of();
        }
        long wanted = Math.min(myExcess, Math.max(1, Math.round(sum)));
        long moves = Math.min(wanted, budget);
        double scale = moves / sum;
        Map<String, Integer> plan = new LinkedHashMap<>();
        List<Map.Entry<String, Double>> remainders = new ArrayList<>();
        long given = 0;
        for (Map.Entry<String, Double> e : raw.entrySet()) {
            double scaled = e.getValue() * scale;
            int whole = (int) Math.floor(scaled);
            plan.put(e.getKey(), whole);
            given += whole;
            remainders.add(Map.entry(e.getKey(), scaled - whole));
        }
        // Largest remainders get the rest; ties by id (the map is sorted, the sort is stable).
        remainders.sort(Collections.reverseOrder(Map.Entry.comparingByValue()));
        for (int i = 0; given < moves && i < remainders.size(); i++, given++) {
            plan.merge(remainders.get(i).getKey(), 1, Integer::sum);
        }
        plan.values().removeIf(n -> n == 0);
        return plan;
    }
}
