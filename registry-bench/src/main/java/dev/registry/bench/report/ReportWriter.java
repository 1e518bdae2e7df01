package dev.registry.bench.report;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a run's results as CSV, a Markdown report and SVG charts into one folder. */
public final class ReportWriter {
    static final List<String> PERCENTILES = List.of("p50", "p90", "p99", "p99.9", "max");

    private ReportWriter() {
    }

    /** Writes everything; returns the Markdown. */
    public static String write(Results r, Path dir, List<String> header, List<String> targets) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.csv"), csv(r));
        List<String> charts = charts(r, dir);
        String md = markdown(r, header, targets, charts);
        Files.writeString(dir.resolve("results.md"), md);
        return md;
    }

    static String csv(Results r) {
        StringBuilder sb = new StringBuilder("system,scenario,metric,unit,value,note\n");
        r.values().forEach((m, bySystem) -> bySystem.values().forEach(v -> sb.append(String.join(",", v.system(),
                q(m.scenario()), q(m.name()), q(m.unit()), num(v.value()), q(v.note() == null ? "" : v.note()))).append('\n')));
        r.latencies().forEach((system, h) -> {
            for (String p : PERCENTILES) {
                sb.append(String.join(",", system, q("2 change-to-notification latency"), q("histogram " + p), "ms",
                        num(percentileMs(h, p)), "")).append('\n');
            }
        });
        return sb.toString();
    }

    private static String q(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static double percentileMs(Histogram h, String p) {
        long us = p.equals("max") ? h.getMaxValue() : h.getValueAtPercentile(Double.parseDouble(p.substring(1)));
        return us / 1000.0;
    }

    /** ours ÷ zookeeper, or ours-cluster ÷ zookeeper-ensemble, when both are there. */
    static String ratio(Map<String, Results.Value> bySystem) {
        String[][] pairs = {{"ours", "zookeeper"}, {"ours-cluster", "zookeeper-ensemble"}};
        for (String[] p : pairs) {
            Results.Value a = bySystem.get(p[0]);
            Results.Value b = bySystem.get(p[1]);
            if (a != null && b != null && b.value() != 0) {
                double x = a.value() / b.value();
                return (x >= 10 ? String.format(Locale.ROOT, "%.0f", x) : x >= 0.1 ? String.format(Locale.ROOT, "%.2f", x)
                        : String.format(Locale.ROOT, "%.3f", x)) + "×";
            }
        }
        return "";
    }

    static String cell(Results.Value v) {
        if (v == null) {
            return "–";
        }
        String s = pretty(v.value());
        return v.note() == null || v.note().isEmpty() ? s : s + " (" + v.note() + ")";
    }

    static String pretty(double v) {
        if (v == 0) {
            return "0";
        }
        if (v == Math.rint(v) && Math.abs(v) >= 1) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String markdown(Results r, List<String> header, List<String> targets, List<String> charts) {
        List<String> systems = new ArrayList<>(r.systems());
        StringBuilder sb = new StringBuilder();
        header.forEach(h -> sb.append(h).append('\n'));
        sb.append('\n');
        sb.append("| scenario | metric | unit |");
        systems.forEach(s -> sb.append(' ').append(s).append(" |"));
        sb.append(" ours ÷ ZooKeeper |\n|---|---|---|");
        systems.forEach(s -> sb.append("---:|"));
        sb.append("---:|\n");
        r.values().forEach((m, bySystem) -> {
            sb.append("| ").append(m.scenario()).append(" | ").append(m.name()).append(" | ").append(m.unit())
                    .append(m.better() == Results.Better.HIGHER ? " (higher is better)"
                            : m.better() == Results.Better.LOWER ? " (lower is better)" : "").append(" |");
            systems.forEach(s -> sb.append(' ').append(cell(bySystem.get(s))).append(" |"));
            sb.append(' ').append(m.better() == Results.Better.NONE ? "" : ratio(bySystem)).append(" |\n");
        });
        r.sections().forEach(section -> sb.append('\n').append(section).append('\n'));
        if (!targets.isEmpty()) {
            sb.append("\n**Targets of issues 9 and 15** (ZooKeeper measured in this run):\n\n");
            targets.forEach(t -> sb.append("- ").append(t).append('\n'));
        }
        if (!r.failures().isEmpty()) {
            sb.append("\n**Not measured / failed in this run:**\n\n");
            r.failures().forEach(f -> sb.append("- ").append(f).append('\n'));
        }
        if (!r.notes().isEmpty()) {
            sb.append("\n**How each system ran:**\n\n");
            r.notes().forEach((k, v) -> sb.append("- ").append(v).append('\n'));
        }
        if (!charts.isEmpty()) {
            sb.append('\n');
            charts.forEach(c -> sb.append("![").append(c).append("](").append(c).append(")\n"));
        }
        return sb.toString();
    }

    static List<String> charts(Results r, Path dir) throws IOException {
        List<String> written = new ArrayList<>();
        List<String> systems = new ArrayList<>(r.systems());
        // 1: registrations/s
        chart(dir, "registrations.svg", written, new SvgChart("Registration throughput (scenario 1)", "registrations/s",
                List.of("registrations/s")), r, systems, "1 registration throughput", List.of("registrations/s"), false, true);
        // 2: latency distribution
        if (!r.latencies().isEmpty()) {
            SvgChart c = new SvgChart("Change → subscriber callback latency (scenario 2)", "ms", PERCENTILES).log(true);
            r.latencies().forEach((system, h) -> {
                List<Double> v = new ArrayList<>();
                PERCENTILES.forEach(p -> v.add(Math.max(0.01, percentileMs(h, p))));
                c.series(system, v);
            });
            Files.writeString(dir.resolve("latency.svg"), c.lines());
            written.add("latency.svg");
        }
        // 3: dead provider
        chart(dir, "dead-provider.svg", written, new SvgChart("Killed provider gone from every subscriber (scenario 3)",
                "seconds", List.of("default session", "tuned session")), r, systems, "3 dead-provider detection",
                List.of("all subscribers updated (default timeout)", "all subscribers updated (tuned timeout)"), true, false);
        // 4/5: memory
        chart(dir, "memory.svg", written, new SvgChart("Server heap after full GC (scenarios 4 and 5)", "bytes",
                List.of("per publisher", "per subscriber", "per connection")), r, systems, null,
                List.of("4 memory|heap per publisher", "4 memory|heap per subscriber", "5 connections|heap per connection"),
                true, false);
        return written;
    }

    private static void chart(Path dir, String file, List<String> written, SvgChart c, Results r, List<String> systems,
                              String scenario, List<String> metrics, boolean log, boolean single) throws IOException {
        for (String s : systems) {
            List<Double> v = new ArrayList<>();
            for (String m : metrics) {
                String sc = scenario;
                String name = m;
                if (scenario == null) {
                    sc = m.substring(0, m.indexOf('|'));
                    name = m.substring(m.indexOf('|') + 1);
                }
                Double d = r.get(sc, name, s);
                v.add(d == null ? null : Math.max(d, 0.001));
            }
            if (v.stream().anyMatch(x -> x != null)) {
                c.series(s, v);
            }
        }
        if (c.isEmpty()) {
            return;
        }
        c.log(log);
        Files.writeString(dir.resolve(file), c.bars());
        written.add(file);
    }
}
