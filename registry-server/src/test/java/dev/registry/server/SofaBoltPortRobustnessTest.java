package dev.registry.server;

import com.alipay.sofa.registry.core.model.DataBox;
import com.alipay.sofa.registry.core.model.PublisherRegister;
import com.alipay.sofa.registry.core.model.RegisterResponse;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.serialize.Serializer;
import dev.registry.session.SessionServer;
import dev.registry.session.bolt.BoltCommand;
import dev.registry.session.bolt.BoltFrameEncoder;
import dev.registry.session.bolt.BoltProtocol;
import dev.registry.session.bolt.SofaModel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile and malformed input on a live Bolt port: every case gets a clear answer (a Bolt
 * status and a readable message), a broken stream is closed, and the session keeps serving
 * the stock SOFARegistry client throughout.
 */
class SofaBoltPortRobustnessTest {
    static {
        SofaTestClient.quietSofaLogging();
    }

    private static final String PUBLISHER_REGISTER = PublisherRegister.class.getName();
    /** The first push after a cluster starts waits for new slot leaders to be reconciled (at most 10 s). */
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static TestCluster cluster;
    private static SessionServer session;
    private static SofaTestClient stock;
    private static SofaTestClient.Recorder stockSees;
    private final Serializer serializer = SofaModel.serializer();

    @BeforeAll
    static void start() {
        cluster = new TestCluster(1, 0);
        session = cluster.addSofaSession();
        cluster.awaitStable();
        stock = new SofaTestClient(session.adminPort());
        stockSees = stock.subscribe("svc.robust");
        await().atMost(STARTUP).until(() -> stockSees.received.size() == 1);
    }

    @AfterAll
    static void stop() {
        if (stock != null) {
            stock.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** After each abuse, the stock client still publishes and is pushed the change. */
    private static void stockClientStillServed(String value) {
        stock.publish("svc.robust", value);
        await().atMost(Duration.ofSeconds(10)).until(() -> stockSees.last() != null && stockSees.last().contains(value));
    }

    /** A raw Bolt v1 connection; responses are read field by field, as the spec lays them out. */
    private static final class RawBolt implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;

        RawBolt() throws IOException {
            socket = new Socket("127.0.0.1", session.sofaBoltPort());
            socket.setSoTimeout(5000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
        }

        void send(BoltCommand command) throws IOException {
            ByteBuf b = Unpooled.buffer();
            BoltFrameEncoder.encode(command, b);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            send(bytes);
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        record Response(int headerBytes, int requestId, short status, String className, byte[] content) {
        }

        Response read() throws IOException {
            byte proto = in.readByte();
            byte type = in.readByte();
            short cmd = in.readShort();
            in.readByte(); // ver2
            int id = in.readInt();
            in.readByte(); // codec
            short status = in.readShort();
            int classLen = in.readShort();
            int headerLen = in.readShort();
            int contentLen = in.readInt();
            assertThat(proto).isEqualTo((byte) 1);
            assertThat(type).as("a response").isEqualTo((byte) 0);
            byte[] cls = in.readNBytes(classLen);
            in.readNBytes(headerLen);
            byte[] content = in.readNBytes(contentLen);
            assertThat(cmd).isIn((short) 0, (short) 2);
            return new Response(20, id, status, classLen == 0 ? null : new String(cls, StandardCharsets.UTF_8), content);
        }

        /** True if the server closed the connection (EOF) within the socket timeout. */
        boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (EOFException e) {
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private String message(RawBolt.Response r) throws Exception {
        assertThat(r.className()).isEqualTo(String.class.getName());
        return (String) serializer.deserialize(r.content());
    }

    private static PublisherRegister register(String dataId, String registId, long version, String... values) {
        PublisherRegister r = new PublisherRegister();
        r.setDataId(dataId);
        r.setRegistId(registId);
        r.setEventType("REGISTER");
        r.setVersion(version);
        r.setTimestamp(System.currentTimeMillis());
        r.setAttributes(new HashMap<>());
        List<DataBox> boxes = new ArrayList<>();
        for (String v : values) {
            boxes.add(new DataBox(v));
        }
        r.setDataList(boxes);
        return r;
    }

    @Test
    void answersHeartbeatsAndRegistrationsFromAHandWrittenClient() throws Exception {
        try (RawBolt raw = new RawBolt()) {
            raw.send(BoltCommand.heartbeat(77));
            RawBolt.Response ack = raw.read();
            assertThat(ack.requestId()).isEqualTo(77);
            assertThat(ack.status()).isEqualTo(BoltProtocol.Status.SUCCESS.code);
            assertThat(ack.className()).isNull();
            assertThat(ack.content()).isEmpty();

            raw.send(BoltCommand.request(78, 1000, PUBLISHER_REGISTER,
                    serializer.serialize(register("svc.raw", "raw-1", 3, "10.1.1.1:1"))));
            RawBolt.Response r = raw.read();
            assertThat(r.requestId()).isEqualTo(78);
            assertThat(r.status()).isEqualTo(BoltProtocol.Status.SUCCESS.code);
            assertThat(r.className()).isEqualTo(RegisterResponse.class.getName());
            RegisterResponse response = (RegisterResponse) serializer.deserialize(r.content());
            assertThat(response.isSuccess()).isTrue();
            assertThat(response.getVersion()).as("the request's version, echoed").isEqualTo(3);
            assertThat(response.getRegistId()).isEqualTo("raw-1");
            assertThat(cluster.leaderDatum(DataInfoId.of("svc.raw")).values()).containsExactly("10.1.1.1:1");
        }
        // Its connection closed: its publisher is gone.
        await().atMost(Duration.ofSeconds(2)).until(() -> cluster.leaderDatum(DataInfoId.of("svc.raw")).values().isEmpty());
    }

    @Test
    void unknownClassesGetNoProcessorAndTheConnectionStays() throws Exception {
        try (RawBolt raw = new RawBolt()) {
            raw.send(BoltCommand.request(5, 1000, "com.example.DropTables", new byte[]{'N'}));
            RawBolt.Response r = raw.read();
            assertThat(r.requestId()).isEqualTo(5);
            assertThat(r.status()).isEqualTo(BoltProtocol.Status.NO_PROCESSOR.code);
            assertThat(message(r)).contains("no processor for class com.example.DropTables")
                    .contains(PUBLISHER_REGISTER);
            raw.send(BoltCommand.heartbeat(6));
            assertThat(raw.read().requestId()).as("still served").isEqualTo(6);
        }
        stockClientStillServed("10.0.0.1:1");
    }

    @Test
    void classesOutsideTheAllowListAreRejectedByName() throws Exception {
        // A PublisherRegister frame whose content is an object of a JDK class that is not allowed.
        byte[] gadget = ("O\u00bcjavax.management.BadStringOperationException\u0091\u0002op" + "o\u0090\u0001x")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (RawBolt raw = new RawBolt()) {
            raw.send(BoltCommand.request(9, 1000, PUBLISHER_REGISTER, gadget));
            RawBolt.Response r = raw.read();
            assertThat(r.status()).isEqualTo(BoltProtocol.Status.SERVER_DESERIAL_EXCEPTION.code);
            assertThat(message(r)).contains("not allowed").contains("javax.management.BadStringOperationException");

            raw.send(BoltCommand.request(10, 1000, PUBLISHER_REGISTER, new byte[]{'O', (byte) 0xff, 1, 2, 3}));
            RawBolt.Response malformed = raw.read();
            assertThat(malformed.status()).isEqualTo(BoltProtocol.Status.SERVER_DESERIAL_EXCEPTION.code);
            assertThat(message(malformed)).contains("malformed");

            BoltCommand protobuf = new BoltCommand(BoltProtocol.TYPE_REQUEST, BoltProtocol.CMD_REQUEST, 11, (byte) 11,
                    1000, (short) 0, PUBLISHER_REGISTER, new byte[]{1, 2, 3});
            raw.send(protobuf);
            RawBolt.Response pb = raw.read();
            assertThat(pb.status()).isEqualTo(BoltProtocol.Status.SERVER_DESERIAL_EXCEPTION.code);
            assertThat(message(pb)).contains("codec 11");

            raw.send(BoltCommand.request(12, 1000, PUBLISHER_REGISTER,
                    serializer.serialize(register("bad#@#id", "r", 1, "x"))));
            RegisterResponse refused = (RegisterResponse) serializer.deserialize(raw.read().content());
            assertThat(refused.isRefused()).as("invalid key: refused, so the client stops retrying").isTrue();
            assertThat(refused.getMessage()).contains("#@#");

            raw.send(BoltCommand.heartbeat(13));
            assertThat(raw.read().requestId()).as("the connection stays").isEqualTo(13);
        }
        stockClientStillServed("10.0.0.1:2");
    }

    @Test
    void anOversizedFrameIsRefusedFromItsHeaderAndTheConnectionClosed() throws Exception {
        try (RawBolt raw = new RawBolt()) {
            ByteBuf b = Unpooled.buffer();
            byte[] cls = PUBLISHER_REGISTER.getBytes(StandardCharsets.UTF_8);
            b.writeByte(1).writeByte(1).writeShort(1).writeByte(1).writeInt(21).writeByte(1).writeInt(1000)
                    .writeShort(cls.length).writeShort(0).writeInt(100 * 1024 * 1024).writeBytes(cls);
            byte[] header = new byte[b.readableBytes()];
            b.readBytes(header);
            raw.send(header); // and never the 100 MiB
            RawBolt.Response r = raw.read();
            assertThat(r.requestId()).isEqualTo(21);
            assertThat(r.status()).isEqualTo(BoltProtocol.Status.CODEC_EXCEPTION.code);
            assertThat(message(r)).contains("exceeds the maximum of " + (8 * 1024 * 1024));
            assertThat(raw.closedByServer()).isTrue();
        }
        stockClientStillServed("10.0.0.1:3");
    }

    @Test
    void anotherProtocolIsToldAndDisconnected() throws Exception {
        try (RawBolt raw = new RawBolt()) {
            raw.send("GET /api/servers/query HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawBolt.Response r = raw.read();
            assertThat(r.status()).isEqualTo(BoltProtocol.Status.CODEC_EXCEPTION.code);
            assertThat(message(r)).contains("unknown protocol code 0x47").contains("Bolt");
            assertThat(raw.closedByServer()).isTrue();
        }
        stockClientStillServed("10.0.0.1:4");
        String metrics = new String(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + session.adminPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8);
        assertThat(metrics).containsPattern("registry_session_sofa_protocol_errors_total [1-9]");
    }
}
