package dev.registry.bench.jmh;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.slot.SlotHash;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Slot of a DataInfoId: murmur3 over the canonical form, on every write, fetch and push. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SlotHashBenchmark {
    private DataInfoId[] ids;
    private int i;

    @Setup
    public void setUp() {
        ids = new DataInfoId[1024];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = DataInfoId.of("com.example.service.Interface" + k + ":1.0.0", "SOFA", "DEFAULT_INSTANCE_ID");
        }
    }

    @Benchmark
    public int slotOf() {
        return SlotHash.slotOf(ids[i++ & 1023], 256);
    }

    /** The canonical string alone (the hash input is built on every call). */
    @Benchmark
    public String canonical() {
        return ids[i++ & 1023].canonical();
    }
}
