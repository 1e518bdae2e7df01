package dev.registry.bench;

import dev.registry.bench.report.Results;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The targets of issues 9 and 15 (the hot path: 15's replace 9's where both set one), judged
 * from one run's figures (ZooKeeper from the same run).
 */
final class Targets {
    private Targets() {
    }

    static List<String> check(Results r) {
        List<String> out = new ArrayList<>();
        Double ours = r.get(Bench.S1, "registrations/s", "ours");
        Double zk = r.get(Bench.S1, "registrations/s", "zookeeper");
        if (ours != null && zk != null) {
            out.add(verdict(ours >= 5 * zk, String.format(Locale.ROOT,
                    "registrations/s ≥ 5× ZooKeeper's: %,.0f vs %,.0f = %.1f×", ours, zk, ours / zk)));
        }
        Double cluster = r.get(Bench.S1, "registrations/s", "ours-cluster");
        if (cluster != null) {
            out.add(verdict(cluster >= 5_000, String.format(Locale.ROOT,
                    "registrations/s through the multi-process cluster ≥ 5,000: %,.0f", cluster)));
        }
        Double p50 = r.get(Bench.S2, "p50", "ours");
        Double p99 = r.get(Bench.S2, "p99", "ours");
        Double zp99 = r.get(Bench.S2, "p99", "zookeeper");
        if (p50 != null) {
            out.add(verdict(p50 <= 5, String.format(Locale.ROOT, "change→subscriber p50 ≤ 5 ms: %.2f ms", p50)));
        }
        if (p99 != null && zp99 != null) {
            out.add(verdict(p99 <= zp99, String.format(Locale.ROOT,
                    "change→subscriber p99 no worse than ZooKeeper's: %.2f ms vs %.2f ms", p99, zp99)));
        }
        Double dead = r.get(Bench.S3, "all subscribers updated (default timeout)", "ours");
        if (dead != null) {
            out.add(verdict(dead <= 1, String.format(Locale.ROOT, "killed provider gone from every subscriber ≤ 1 s: %.3f s",
                    dead)));
        }
        Double copy = r.get(Bench.S4, "heap per stored copy of a publisher", "ours");
        if (copy != null) {
            out.add(verdict(copy <= 400, String.format(Locale.ROOT,
                    "≤ 400 B of heap per stored copy of a registration (~200 B payload): %.0f B", copy)));
        }
        Double perSubscriber = r.get(Bench.S4, "heap per subscriber", "ours");
        if (perSubscriber != null) {
            out.add(verdict(perSubscriber <= 200, String.format(Locale.ROOT,
                    "≤ 200 B of heap per subscriber: %.0f B", perSubscriber)));
        }
        Double failover = r.get(Bench.S6, "every subscriber sees all live publishers and a post-kill change", "ours-cluster");
        Double shrunken = r.get(Bench.S6, "shrunken pushes (must be 0)", "ours-cluster");
        if (failover != null && shrunken != null) {
            out.add(verdict(failover <= 3 && shrunken == 0, String.format(Locale.ROOT,
                    "data server killed: every subscriber whole again within 3 s, 0 shrunken pushes: %.2f s, %.0f shrunken",
                    failover, shrunken)));
        }
        Double held = r.get(Bench.S5, "connections held", "ours");
        if (held != null) {
            out.add(verdict(held >= 20_000, String.format(Locale.ROOT,
                    "≥ 20k client connections on one session within a 1 GiB heap: %,.0f held", held)));
        }
        return out;
    }

    private static String verdict(boolean met, String text) {
        return (met ? "**met**: " : "**missed**: ") + text;
    }
}
