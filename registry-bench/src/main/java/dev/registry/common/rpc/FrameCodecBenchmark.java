package dev.registry.common.rpc;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.serialize.Serializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The wire hot path of every message: Hessian body encode/decode (with the allow-list) and the
 * frame codec (length-prefixed header, limit checks). Two messages: a client registration
 * (one ~200 B value) and a push of a service with {@code values} publishers of ~200 B.
 * In the RPC package because the frame codec is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark {
    @Param({"1", "200"})
    int values;

    private final Serializer serializer = WireClasses.serializer();
    private Object register;
    private Object push;
    private byte[] registerBody;
    private byte[] pushBody;
    private Frame frame;
    private ByteBuf encoded;
    private ByteBuf out;
    private final FrameDecoder decoder = new FrameDecoder(RpcConfig.DEFAULT_MAX_FRAME_BYTES);
    private final List<Object> decoded = new ArrayList<>(1);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String pad = "x".repeat(180);
        DataInfoId id = DataInfoId.of("com.example.Service");
        register = new RegisterPublisherRequest(new Publisher(id, "6f1c1c2e-8a43-4c1e-9d55-0f3b9a3f2b11", 1,
                List.of("10.0.0.1:8080?" + pad), "bench", "10.0.0.1", "zone-a", 1_700_000_000_000L, null, null));
        ArrayList<String> vs = new ArrayList<>();
        for (int i = 0; i < values; i++) {
            vs.add("10.0." + i / 250 + "." + i % 250 + ":8080?" + pad);
        }
        LinkedHashMap<String, ArrayList<String>> byZone = new LinkedHashMap<>();
        byZone.put("zone-a", vs);
        ArrayList<String> subscribers = new ArrayList<>(List.of("sub-1", "sub-2", "sub-3", "sub-4"));
        push = new PushRequest(id, 1_700_000_000_000_000L, subscribers, byZone);
        registerBody = serializer.serialize(register);
        pushBody = serializer.serialize(push);
        frame = new Frame(FrameType.REQUEST, (byte) 0, 42L, pushBody);
        encoded = PooledByteBufAllocator.DEFAULT.buffer();
        FrameEncoder.INSTANCE.encode(null, frame, encoded);
        out = PooledByteBufAllocator.DEFAULT.buffer(pushBody.length + 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoded.release();
        out.release();
    }

    @Benchmark
    public byte[] serializeRegister() throws Exception {
        return serializer.serialize(register);
    }

    @Benchmark
    public Object deserializeRegister() throws Exception {
        return serializer.deserialize(registerBody);
    }

    @Benchmark
    public byte[] serializePush() throws Exception {
        return serializer.serialize(push);
    }

    @Benchmark
    public Object deserializePush() throws Exception {
        return serializer.deserialize(pushBody);
    }

    /** Header + body copy into an outbound buffer. */
    @Benchmark
    public int encodeFrame() {
        out.clear();
        FrameEncoder.INSTANCE.encode(null, frame, out);
        return out.writerIndex();
    }

    /** Limit and header checks, then the body copy out of the inbound buffer. */
    @Benchmark
    public Object decodeFrame() {
        encoded.readerIndex(0);
        decoded.clear();
        decoder.decode(null, encoded, decoded);
        return decoded.get(0);
    }
}
