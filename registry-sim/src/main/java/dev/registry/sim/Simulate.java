package dev.registry.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code scripts/simulate.sh}: runs seeds of the deterministic simulation and reports.
 *
 * <pre>
 *   --seeds N         run seeds first..first+N-1 (default 20)
 *   --first-seed S    the first seed (default 1)
 *   --minutes M       run consecutive seeds until M minutes of wall time are spent (instead of --seeds)
 *   --seed S          replay one seed and print its whole history
 *   --fault-seconds F simulated seconds of faults per seed (default 40)
 *   --settle-seconds  simulated seconds to settle before the convergence check (default 20)
 *   --exclude K1,K2   leave these fault kinds out (--only K1,K2: only these)
 * </pre>
 * The last line is {@code seeds=N faults=F kinds=K pushes-checked=P violations=V}; the exit
 * status is 1 if any seed had a violation (each failing seed is printed with its history).
 */
public final class Simulate {
    private Simulate() {
    }

    public static void main(String[] args) {
        int seeds = 20;
        long first = 1;
        double minutes = 0;
        Long replay = null;
        int faultSeconds = 40;
        int settleSeconds = 20;
        List<String> kinds = new ArrayList<>(SimFaults.KINDS);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--seeds" -> seeds = Integer.parseInt(require(a, v));
                case "--first-seed" -> first = Long.parseLong(require(a, v));
                case "--minutes" -> minutes = Double.parseDouble(require(a, v));
                case "--seed" -> replay = Long.parseLong(require(a, v));
                case "--fault-seconds" -> faultSeconds = Integer.parseInt(require(a, v));
                case "--settle-seconds" -> settleSeconds = Integer.parseInt(require(a, v));
                case "--exclude" -> kinds.removeAll(kindList(require(a, v)));
                case "--only" -> kinds.retainAll(kindList(require(a, v)));
                case "-h", "--help" -> {
                    System.out.println("usage: simulate.sh [--seeds N] [--first-seed S] [--minutes M] [--seed S] "
                            + "[--fault-seconds F] [--settle-seconds T]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
            }
            i++;
        }
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("no fault kinds left to draw");
        }
        if (faultSeconds < 1 || settleSeconds < 5 || seeds < 1) {
            throw new IllegalArgumentException("--fault-seconds >= 1, --settle-seconds >= 5, --seeds >= 1");
        }
        System.exit(replay != null ? replay(replay, faultSeconds, settleSeconds, kinds)
                : runMany(first, seeds, minutes, faultSeconds, settleSeconds, kinds));
    }

    private static List<String> kindList(String csv) {
        List<String> out = new ArrayList<>();
        for (String k : csv.split(",")) {
            if (!SimFaults.KINDS.contains(k.trim())) {
                throw new IllegalArgumentException("unknown fault kind '" + k.trim() + "'; kinds: " + SimFaults.KINDS);
            }
            out.add(k.trim());
        }
        return out;
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static int replay(long seed, int faultSeconds, int settleSeconds, List<String> kinds) {
        Simulation.Result r = Simulation.run(seed, faultSeconds, settleSeconds, kinds);
        r.history().forEach(System.out::println);
        System.out.println("history sha256 " + r.historyHash() + " (" + r.history().size() + " lines); trace sha256 "
                + r.traceHash() + " (" + r.pushes() + " pushes, " + r.events() + " events)");
        printSummary(List.of(r));
        return r.violations().isEmpty() ? 0 : 1;
    }

    private static int runMany(long first, int seeds, double minutes, int faultSeconds, int settleSeconds,
                               List<String> kinds) {
        long deadline = minutes > 0 ? System.nanoTime() + (long) (minutes * 60e9) : Long.MAX_VALUE;
        List<Simulation.Result> results = new ArrayList<>();
        long started = System.nanoTime();
        for (long seed = first; minutes > 0 ? System.nanoTime() < deadline : seed < first + seeds; seed++) {
            Simulation.Result r = Simulation.run(seed, faultSeconds, settleSeconds, kinds);
            results.add(r);
            if (!r.violations().isEmpty()) {
                System.out.println("seed " + seed + " FAILED with " + r.violations().size()
                        + " violations; replay: scripts/simulate.sh --seed " + seed);
                r.history().forEach(line -> System.out.println("  " + line));
            }
            if (results.size() % 10 == 0) {
                System.out.printf(java.util.Locale.ROOT, "... %d seeds in %.0f s, %d faults, %d violations%n",
                        results.size(), (System.nanoTime() - started) / 1e9,
                        results.stream().mapToInt(Simulation.Result::faultCount).sum(),
                        results.stream().mapToInt(x -> x.violations().size()).sum());
            }
        }
        printSummary(results);
        return results.stream().allMatch(r -> r.violations().isEmpty()) ? 0 : 1;
    }

    private static void printSummary(List<Simulation.Result> results) {
        Map<String, Integer> kinds = new TreeMap<>();
        results.forEach(r -> r.faults().forEach((k, n) -> kinds.merge(k, n, Integer::sum)));
        System.out.println("faults by kind:");
        kinds.forEach((k, n) -> System.out.printf(java.util.Locale.ROOT, "  %-30s %d%n", k, n));
        List<Long> failed = results.stream().filter(r -> !r.violations().isEmpty()).map(Simulation.Result::seed).toList();
        if (!failed.isEmpty()) {
            System.out.println("failed seeds: " + failed);
        }
        System.out.printf(java.util.Locale.ROOT, "seeds=%d faults=%d kinds=%d pushes-checked=%d violations=%d%n",
                results.size(), results.stream().mapToInt(Simulation.Result::faultCount).sum(), kinds.size(),
                results.stream().mapToLong(Simulation.Result::pushes).sum(),
                results.stream().mapToInt(r -> r.violations().size()).sum());
    }
}
