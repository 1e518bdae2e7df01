package dev.registry.bench.jmh;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.CompactCodec;
import dev.registry.common.protocol.DatumValues;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hot-path messages in both body forms: a registration (one ~200 B value) and a push of N
 * values, encoded and decoded by Hessian (the baseline, as before) and by {@link CompactCodec}
 * (what {@code WireClasses.serializer()} now writes). Two threads, because the decoders share
 * the id and string interner.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class WireCodecBenchmark {
    @Param({"1", "200"})
    int values;

    private final Serializer hessian = WireClasses.hessianSerializer();
    private final Serializer wire = WireClasses.serializer();
    private RegisterPublisherRequest registration;
    private PushRequest push;
    private DatumValues datumValues;
    private byte[] registrationHessian;
    private byte[] registrationCompact;
    private byte[] pushHessian;
    private byte[] pushCompact;

    @Setup
    public void setUp() throws SerializationException {
        DataInfoId id = DataInfoId.of("com.example.Orders:1.0.0", "SOFA", null);
        String pad = "x".repeat(180);
        registration = new RegisterPublisherRequest(new Publisher(id, "6f1c7a52-3a3c-4c43-9a43-1f2f0d9a1c11", 1,
                List.of("10.0.0.1:8080?" + pad), "orders", "10.0.0.1", "zone-a", 1, null, null));
        ArrayList<String> vs = new ArrayList<>();
        for (int i = 0; i < values; i++) {
            vs.add("10.0.0." + i + ":8080?" + pad);
        }
        LinkedHashMap<String, ArrayList<String>> byZone = new LinkedHashMap<>();
        byZone.put("zone-a", vs);
        push = new PushRequest(id, 42, new ArrayList<>(List.of("sub-1", "sub-2")), byZone);
        datumValues = new DatumValues(id, 42, 1, byZone);
        registrationHessian = hessian.serialize(registration);
        registrationCompact = wire.serialize(registration);
        pushHessian = hessian.serialize(push);
        pushCompact = wire.serialize(push);
    }

    @Benchmark
    public byte[] registrationEncodeHessian() throws SerializationException {
        return hessian.serialize(registration);
    }

    @Benchmark
    public byte[] registrationEncodeCompact() throws SerializationException {
        return wire.serialize(registration);
    }

    @Benchmark
    public Object registrationDecodeHessian() throws SerializationException {
        return hessian.deserialize(registrationHessian);
    }

    @Benchmark
    public Object registrationDecodeCompact() throws SerializationException {
        return wire.deserialize(registrationCompact);
    }

    @Benchmark
    public byte[] pushEncodeHessian() throws SerializationException {
        return hessian.serialize(push);
    }

    @Benchmark
    public byte[] pushEncodeCompact() throws SerializationException {
        return wire.serialize(push);
    }

    @Benchmark
    public Object pushDecodeHessian() throws SerializationException {
        return hessian.deserialize(pushHessian);
    }

    @Benchmark
    public Object pushDecodeCompact() throws SerializationException {
        return wire.deserialize(pushCompact);
    }

    /** What a push round now fetches from the slot leader instead of the whole datum. */
    @Benchmark
    public byte[] datumValuesEncodeCompact() throws SerializationException {
        return wire.serialize(datumValues);
    }
}
