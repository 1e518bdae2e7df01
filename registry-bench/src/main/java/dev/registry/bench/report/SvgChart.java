package dev.registry.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Minimal SVG charts (no plotting library is installed here): grouped bars and lines over
 * categories, linear or log10 value axis. Missing values ({@code null}) are skipped.
 */
public final class SvgChart {
    private static final int W = 760;
    private static final int H = 380;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final String[] PALETTE = {"#1b9e77", "#d95f02", "#7570b3", "#66a61e", "#e7298a", "#e6ab02", "#a6761d"};

    private final String title;
    private final String unit;
    private final List<String> categories;
    private final Map<String, List<Double>> series = new LinkedHashMap<>();
    private boolean log;

    public SvgChart(String title, String unit, List<String> categories) {
        this.title = title;
        this.unit = unit;
        this.categories = categories;
    }

    public SvgChart series(String name, List<Double> values) {
        series.put(name, values);
        return this;
    }

    public SvgChart log(boolean value) {
        this.log = value;
        return this;
    }

    public boolean isEmpty() {
        return series.values().stream().allMatch(v -> v.stream().allMatch(x -> x == null));
    }

    private double[] range() {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (List<Double> v : series.values()) {
            for (Double d : v) {
                if (d != null && d > 0) {
                    min = Math.min(min, d);
                    max = Math.max(max, d);
                }
            }
        }
        if (max == 0) {
            return new double[] {0, 1};
        }
        if (log) {
            return new double[] {Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(max * 1.01)))};
        }
        double step = niceStep(max / 5);
        return new double[] {0, Math.ceil(max * 1.1 / step) * step};
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    private double y(double v, double[] r) {
        double plot = H - TOP - BOTTOM;
        double frac = log ? (Math.log10(Math.max(v, r[0])) - Math.log10(r[0])) / (Math.log10(r[1]) - Math.log10(r[0]))
                : (v - r[0]) / (r[1] - r[0]);
        return H - BOTTOM - frac * plot;
    }

    private List<Double> ticks(double[] r) {
        List<Double> out = new ArrayList<>();
        if (log) {
            for (double t = r[0]; t <= r[1] * 1.0001; t *= 10) {
                out.add(t);
            }
        } else {
            double step = niceStep((r[1] - r[0]) / 5);
            for (double t = r[0]; t <= r[1] * 1.0001; t += step) {
                out.add(t);
            }
        }
        return out;
    }

    private StringBuilder frame(double[] r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                LEFT, esc(title)));
        for (double t : ticks(r)) {
            double yy = y(t, r);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, yy, W - RIGHT, yy));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, yy + 4, fmt(t)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" "
                + "text-anchor=\"middle\">%s</text>%n", (H - BOTTOM + TOP) / 2, (H - BOTTOM + TOP) / 2,
                esc(unit + (log ? " (log scale)" : ""))));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM));
        return sb;
    }

    private void legend(StringBuilder sb) {
        int x = LEFT;
        int i = 0;
        for (String name : series.keySet()) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, H - 22, PALETTE[i % PALETTE.length]));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 16, H - 12, esc(name)));
            x += 30 + 8 * name.length();
            i++;
        }
    }

    /** Grouped bars: one group per category, one bar per series, value printed above. */
    public String bars() {
        double[] r = range();
        StringBuilder sb = frame(r);
        double groupW = (double) (W - LEFT - RIGHT) / categories.size();
        int n = series.size();
        double barW = Math.min(60, groupW * 0.8 / n);
        for (int c = 0; c < categories.size(); c++) {
            double gx = LEFT + c * groupW + (groupW - barW * n) / 2;
            int s = 0;
            for (List<Double> v : series.values()) {
                Double d = c < v.size() ? v.get(c) : null;
                if (d != null) {
                    double top = y(d, r);
                    sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            + "fill=\"%s\"/>%n", gx + s * barW, top, barW - 2, H - BOTTOM - top, PALETTE[s % PALETTE.length]));
                    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                            + "font-size=\"10\">%s</text>%n", gx + s * barW + barW / 2, top - 3, fmt(d)));
                }
                s++;
            }
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    LEFT + c * groupW + groupW / 2, H - BOTTOM + 18, esc(categories.get(c))));
        }
        legend(sb);
        return sb.append("</svg>\n").toString();
    }

    /** One line per series across the categories (e.g. percentiles), with points. */
    public String lines() {
        double[] r = range();
        StringBuilder sb = frame(r);
        double step = (double) (W - LEFT - RIGHT) / categories.size();
        for (int c = 0; c < categories.size(); c++) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    LEFT + step * (c + 0.5), H - BOTTOM + 18, esc(categories.get(c))));
        }
        int s = 0;
        for (List<Double> v : series.values()) {
            String color = PALETTE[s % PALETTE.length];
            StringBuilder path = new StringBuilder();
            for (int c = 0; c < v.size(); c++) {
                Double d = v.get(c);
                if (d == null) {
                    continue;
                }
                double x = LEFT + step * (c + 0.5);
                double yy = y(d, r);
                path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, yy));
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n", x, yy, color));
                sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%s</text>%n",
                        x + 5, yy - 5, color, fmt(d)));
            }
            sb.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    path.toString().trim(), color));
            s++;
        }
        legend(sb);
        return sb.append("</svg>\n").toString();
    }

    static String fmt(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", v / 1_000_000);
        }
        if (a >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", v / 1000);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
