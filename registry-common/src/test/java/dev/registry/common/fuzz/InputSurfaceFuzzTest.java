package dev.registry.common.fuzz;

import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import dev.registry.common.testing.HostileStreams;
import dev.registry.common.testing.NettyLeakWatch;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Property-based fuzzing of every input surface a peer controls: the frame decoder (random
 * and mutated frames on a live server), the Hessian decoding path with its allow-list, the
 * DataInfoId parser, and admin HTTP parameter parsing. The server must answer with a clear
 * error or close the one bad connection, and keep serving everyone else without leaking
 * connections or buffers (every Netty buffer is tracked while it runs; a buffer collected
 * without release fails the property it happened in). Bounded tries keep it to seconds in CI.
 */
class InputSurfaceFuzzTest {
    private static final Serializer SERIALIZER = WireClasses.serializer();
    private static RpcServer server;
    private static RpcClient client;
    private static AdminHttpServer admin;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final AtomicInteger handled = new AtomicInteger();
    private static final AtomicInteger tries = new AtomicInteger();
    private static final AtomicInteger mutations = new AtomicInteger();
    private static NettyLeakWatch leakWatch;

    @BeforeContainer
    static void start() {
        leakWatch = NettyLeakWatch.start();
        HandlerRegistry handlers = new HandlerRegistry().register(RegisterPublisherRequest.class, (c, r) -> {
            handled.incrementAndGet();
            r.publisher().dataInfoId().validate();
            return r.publisher().dataInfoId();
        });
        server = new RpcServer("fuzz", RpcConfig.serverDefaults().withMaxFrameBytes(64 * 1024).withWorkerThreads(2),
                SERIALIZER, handlers, new ConnectionListener() { });
        server.start("127.0.0.1", 0);
        client = new RpcClient("fuzz-client", RpcConfig.clientDefaults(), SERIALIZER, new HandlerRegistry(),
                new ConnectionListener() { });
        admin = new AdminHttpServer("fuzz", "secret");
        admin.get("/q", r -> AdminResponse.ok(Map.of(
                "id", DataInfoId.of(r.requireParam("dataId"), r.param("group"), r.param("instanceId")).canonical(),
                "page", r.intParam("page", 0, 0, 1000))));
        admin.post("/m", r -> AdminResponse.ok(Map.of("mutations", mutations.incrementAndGet())));
        admin.start("127.0.0.1", 0);
    }

    @AfterContainer
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (leakWatch != null) {
            leakWatch.close();
        }
    }

    @AfterProperty
    void noBufferLeaked() {
        assertThat(leakWatch.leaks()).as("Netty buffers collected without release()").isEmpty();
    }

    private static byte[] validFrame(long requestId) {
        DataInfoId id = DataInfoId.of("svc.fuzz", "G", null);
        byte[] body;
        try {
            body = SERIALIZER.serialize(new RegisterPublisherRequest(new Publisher(id, "r-1", 1,
                    List.of("10.0.0.1:80"), "app", "10.0.0.1", "z", 1, null, null)));
        } catch (SerializationException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 13 + body.length);
        b.putInt(13 + body.length).putShort((short) 0x5247).put((byte) 1).put((byte) 1).put((byte) 0)
                .putLong(requestId).put(body);
        return b.array();
    }

    @Provide
    Arbitrary<byte[]> hostileStreams() {
        return Arbitraries.oneOf(HostileStreams.random(), HostileStreams.mutated(() -> validFrame(9), 64));
    }

    /** Random and mutated bytes on a live server: answered or closed, never a dead or leaking server. */
    @Property(tries = 250)
    void theFrameDecoderSurvivesHostileStreams(@ForAll("hostileStreams") byte[] stream) throws Exception {
        HostileStreams.sendAndDrain(server.port(), stream);
        if (tries.incrementAndGet() % 50 == 0) {
            assertServes();
        }
    }

    @Property(tries = 1)
    void afterTheHostileStreamsTheServerServesAndHoldsNoStaleConnections() throws Exception {
        assertServes();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() <= 1);
    }

    private static void assertServes() throws Exception {
        RpcConnection c = client.connect("127.0.0.1", server.port()).get(3, TimeUnit.SECONDS);
        try {
            Object answer = c.call(new RegisterPublisherRequest(new Publisher(DataInfoId.of("ok"), "r", 1,
                    List.of("v"), null, null, null, 1, null, null))).get(5, TimeUnit.SECONDS);
            assertThat(answer).isEqualTo(DataInfoId.of("ok"));
        } finally {
            c.close();
        }
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(1024);
        Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.integers().between(0, 10_000),
                Arbitraries.bytes(), Arbitraries.integers().between(1, 6)).as((pos, value, flips) -> {
                    try {
                        Datum d = new Datum(DataInfoId.of("svc"), 42, List.of(new Publisher(DataInfoId.of("svc"), "r1", 3,
                                List.of("a", "b"), "app", "ip", "zone", 5, "s", "c")), 7);
                        byte[] bytes = SERIALIZER.serialize(d);
                        for (int i = 0; i < flips; i++) {
                            int p = (pos + i * 13) % bytes.length;
                            bytes[p] = (byte) (bytes[p] ^ value ^ (i + 1));
                        }
                        return bytes;
                    } catch (SerializationException e) {
                        throw new IllegalStateException(e);
                    }
                });
        return Arbitraries.oneOf(random, mutated);
    }

    /** Hessian decoding of anything yields a value or a SerializationException, nothing else. */
    @Property(tries = 3000)
    void hessianDecodingFailsOnlyWithASerializationException(@ForAll("payloads") byte[] payload) {
        try {
            SERIALIZER.deserialize(payload);
        } catch (SerializationException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } catch (Throwable t) {
            fail("decoding threw " + t, t);
        }
    }

    /** The DataInfoId parser accepts exactly what it formats, and rejects everything else with a message. */
    @Property(tries = 3000)
    void dataInfoIdParsingIsTotal(@ForAll String text) {
        try {
            DataInfoId id = DataInfoId.parse(text);
            assertThat(id.canonical()).isEqualTo(text);
            assertThat(DataInfoId.parse(id.canonical())).isEqualTo(id);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> validParts() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(40)
                .filter(s -> !s.contains("#@#") && !s.endsWith("#@"));
    }

    @Property(tries = 1000)
    void validIdsRoundTrip(@ForAll("validParts") String dataId, @ForAll("validParts") String group,
                           @ForAll("validParts") String instance) {
        DataInfoId id = DataInfoId.of(dataId, group, instance);
        assertThat(DataInfoId.parse(id.canonical())).isEqualTo(id);
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> key = Arbitraries.of("dataId", "group", "instanceId", "page", "x", "", "dataId%00");
        Arbitrary<String> value = Arbitraries.strings().withChars("ab%#@=&+ 9-Z\u00e9\t").ofMaxLength(30);
        return Combinators.combine(key, value, key, value)
                .as((k1, v1, k2, v2) -> k1 + "=" + v1 + "&" + k2 + "=" + v2);
    }

    /** Admin query parsing: any query string yields 200, 400 or 404 with a JSON error, never 500. */
    @Property(tries = 150)
    void adminParametersNeverCauseAServerError(@ForAll("queries") String query) throws Exception {
        String encoded = query.replace(" ", "%20").replace("\t", "%09").replace("\u00e9", "%C3%A9");
        URI uri;
        try {
            uri = URI.create("http://127.0.0.1:" + admin.port() + "/q?" + encoded);
        } catch (IllegalArgumentException notAUri) {
            return; // the HTTP client cannot even send it
        }
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(query).isIn(200, 400);
        if (r.statusCode() == 400 && r.headers().firstValue("Content-Type").orElse("").contains("json")) {
            assertThat(r.body()).contains("error");
        }
    }

    @Property(tries = 50)
    void mutationsNeedTheToken(@ForAll("tokens") String token) throws Exception {
        boolean right = token.equals("secret");
        int before = mutations.get();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/m"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(right ? 200 : 401);
        assertThat(mutations.get()).as("the handler ran only with the right token").isEqualTo(before + (right ? 1 : 0));
        assertThat(r.body()).doesNotContain("secret");
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.oneOf(Arbitraries.just("secret"), Arbitraries.strings().alpha().ofMaxLength(12));
    }
}
