package dev.registry.common.metrics;

/** One-sample families of the Prometheus text format, as every role's /metrics writes them. */
public final class PrometheusText {
    private PrometheusText() {
    }

    public static void gauge(StringBuilder out, String name, long value) {
        sample(out, name, "gauge", value);
    }

    public static void counter(StringBuilder out, String name, long value) {
        sample(out, name, "counter", value);
    }

    private static void sample(StringBuilder out, String name, String type, long value) {
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }
}
