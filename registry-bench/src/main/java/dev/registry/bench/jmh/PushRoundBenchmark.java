package dev.registry.bench.jmh;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.CompactCodec;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.protocol.WireInterner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two hot paths changed for issue 15, on two threads (both share process-wide state):
 * <ul>
 *   <li>a push round to 4 subscriber connections of an id with 200 values: its values map
 *       encoded once and copied for the other 3 connections (what the codec does now), against
 *       4 maps each encoded in full (what it did before);</li>
 *   <li>the all-in-one's publisher interning, as the data server does it on every write: a
 *       decoded publisher equal to the one the session holds (a hit), against no interning.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class PushRoundBenchmark {
    private static final int CONNECTIONS = 4;

    @Param({"200"})
    int values;

    private DataInfoId id;
    private ArrayList<String> list;
    /** Strongly held, as the session's store holds it: the interner answers with it. */
    private Publisher held;

    @Setup
    public void setUp() {
        id = DataInfoId.of("com.example.Orders:1.0.0", "SOFA", null);
        String pad = "x".repeat(180);
        list = new ArrayList<>();
        for (int i = 0; i < values; i++) {
            list.add("10.0.0." + i + ":8080?" + pad);
        }
        WireInterner.shareRegistrations(true);
        held = WireInterner.registration(publisher());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        WireInterner.shareRegistrations(false);
    }

    private Publisher publisher() {
        return new Publisher(id, "Zk3v9c0Qm1xT4yL7pA2bWg", 3, List.of(list.get(0)), "orders", "10.0.0.1", "zone-a", 1,
                "127.0.0.1:9600", "c7");
    }

    /** One round: the same map for every connection, as PushEngine hands it out. */
    @Benchmark
    public void pushRoundEncodedOnce(Blackhole bh) {
        LinkedHashMap<String, ArrayList<String>> round = new LinkedHashMap<>();
        round.put("zone-a", list);
        for (int c = 0; c < CONNECTIONS; c++) {
            bh.consume(CompactCodec.encode(new PushRequest(id, 42, new ArrayList<>(List.of("sub-" + c)), round)));
        }
    }

    /** The same round with a map of its own per connection: every push encodes the values again. */
    @Benchmark
    public void pushRoundEncodedPerConnection(Blackhole bh) {
        for (int c = 0; c < CONNECTIONS; c++) {
            LinkedHashMap<String, ArrayList<String>> own = new LinkedHashMap<>();
            own.put("zone-a", list);
            bh.consume(CompactCodec.encode(new PushRequest(id, 42, new ArrayList<>(List.of("sub-" + c)), own)));
        }
    }

    /** A decoded copy of a publisher the session holds, interned: the data server then keeps the session's object. */
    @Benchmark
    public Publisher internHit() {
        return WireInterner.registration(publisher());
    }

    /** The baseline: the decoded copy kept as it is. */
    @Benchmark
    public Publisher noIntern() {
        return publisher();
    }
}
