package dev.registry.bench.jmh;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Subscriber;
import dev.registry.session.push.PushWindows;
import dev.registry.session.push.SubscriberRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The session's push fan-out decision: which subscribers of a service need a version, grouped
 * by connection ({@link SubscriberRegistry#pushesNeeded}) and the ack bookkeeping, plus the
 * per-change window decision ({@link PushWindows}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PushDecisionBenchmark {
    @Param({"10", "1000"})
    int subscribers;

    private final SubscriberRegistry<Object> registry = new SubscriberRegistry<>();
    private final PushWindows<DataInfoId> windows = new PushWindows<>(1_000, 5);
    private DataInfoId id;
    private long version = 1;
    private long now;

    @Setup
    public void setUp() {
        id = DataInfoId.of("com.example.Service");
        Object[] connections = new Object[Math.max(1, subscribers / 10)];
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new Object();
        }
        for (int i = 0; i < subscribers; i++) {
            registry.add(new Subscriber(id, "sub-" + i, "bench", "10.0.0.1", "zone-a", 0), connections[i % connections.length]);
        }
    }

    /** A new version: every subscriber needs it; then every batch is acked. */
    @Benchmark
    public int fanOutAndAck() {
        long v = ++version;
        List<SubscriberRegistry.PushBatch<Object>> batches = registry.pushesNeeded(id, v);
        for (SubscriberRegistry.PushBatch<Object> b : batches) {
            registry.markPushed(id, b.connection(), b.subscriberIds(), v);
        }
        return batches.size();
    }

    /** An old version (duplicate notice): nobody needs it. */
    @Benchmark
    public int nothingNeeded() {
        return registry.pushesNeeded(id, 0).size();
    }

    /** A change to a quiet id, its round starting and ending. */
    @Benchmark
    public long windowRound() {
        now += 1000;
        long at = windows.onChange(id, now);
        windows.onRoundStart(id, now);
        return at + windows.onRoundEnd(id, now + 1);
    }
}
