package dev.registry.common.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket latency histogram rendered as a Prometheus histogram. Lock-free; cheap enough
 * for every push ack.
 */
public final class LatencyHistogram {
    private static final long[] BOUNDS_MILLIS = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

    private final String name;
    private final String help;
    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_MILLIS.length + 1);
    private final LongAdder sumMillis = new LongAdder();
    private final LongAdder count = new LongAdder();

    public LatencyHistogram(String name, String help) {
        this.name = name;
        this.help = help;
    }

    public void record(long millis) {
        long m = Math.max(0, millis);
        int i = 0;
        while (i < BOUNDS_MILLIS.length && m > BOUNDS_MILLIS[i]) {
            i++;
        }
        buckets.incrementAndGet(i);
        sumMillis.add(m);
        count.increment();
    }

    public long count() {
        return count.sum();
    }

    public void appendPrometheus(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BOUNDS_MILLIS.length; i++) {
            cumulative += buckets.get(i);
            out.append(name).append("_bucket{le=\"").append(BOUNDS_MILLIS[i] / 1000.0).append("\"} ").append(cumulative).append('\n');
        }
        cumulative += buckets.get(BOUNDS_MILLIS.length);
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        out.append(name).append("_sum ").append(sumMillis.sum() / 1000.0).append('\n');
        out.append(name).append("_count ").append(cumulative).append('\n');
    }
}
