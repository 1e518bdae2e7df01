package dev.registry.bench.jmh;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.data.store.DatumStore;
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
 * The data server's apply path ({@link DatumStore}): a changed publisher (new client version),
 * an idempotent re-send, and the fetch a push round does (copy of the publisher list), for a
 * service with {@code publishers} publishers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DatumStoreBenchmark {
    @Param({"20", "200"})
    int publishers;

    private DatumStore store;
    private DataInfoId id;
    private int slot;
    private Publisher[] existing;
    private long version = 2;
    private int next;

    @Setup
    public void setUp() {
        long[] now = {1_700_000_000_000L};
        store = new DatumStore(() -> now[0]++, 256);
        id = DataInfoId.of("com.example.Service");
        slot = store.slotOf(id);
        existing = new Publisher[publishers];
        String pad = "x".repeat(180);
        for (int i = 0; i < publishers; i++) {
            existing[i] = publisher("reg-" + i, 1, "10.0.0." + i + ":8080?" + pad);
            store.put(slot, existing[i]);
        }
    }

    private Publisher publisher(String registerId, long v, String value) {
        return new Publisher(id, registerId, v, List.of(value), "bench", "10.0.0.1", "zone-a", 1_700_000_000_000L,
                "127.0.0.1:9600", "conn-1");
    }

    /** A publisher's value changed: stored, version bumped. */
    @Benchmark
    public DatumStore.Change putChanged() {
        Publisher p = existing[next++ % publishers];
        return store.put(slot, new Publisher(id, p.registerId(), version++, p.values(), p.appName(), p.ip(), p.zone(),
                p.registeredAtMillis(), p.sessionId(), p.connectionId()));
    }

    /** The same registration again (session re-sync): no change. */
    @Benchmark
    public DatumStore.Change putIdempotent() {
        return store.put(slot, existing[0]);
    }

    /** What a push round fetches. */
    @Benchmark
    public Datum get() {
        return store.get(slot, id);
    }
}
