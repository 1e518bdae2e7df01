package dev.registry.common.rpc;

import dev.registry.common.rpc.RawFrames.RawFrame;
import dev.registry.common.rpc.TestMessages.Echo;
import dev.registry.common.rpc.TestMessages.EchoReply;
import dev.registry.common.rpc.TestMessages.Forbidden;
import dev.registry.common.serialize.ClassAllowList;
import dev.registry.common.serialize.HessianSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static dev.registry.common.rpc.RawFrames.FLAG_ERROR;
import static dev.registry.common.rpc.RawFrames.HEADER_LENGTH;
import static dev.registry.common.rpc.RawFrames.MAGIC;
import static dev.registry.common.rpc.RawFrames.REQUEST;
import static dev.registry.common.rpc.RawFrames.RESPONSE;
import static dev.registry.common.rpc.RawFrames.VERSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile and broken input over a raw socket. Framing errors get an error frame and a closed
 * connection; payload errors get an error response and keep the connection. Either way the
 * server keeps serving everyone else.
 */
class MalformedInputTest {
    /** Decodes error bodies only: what a peer needs to read an RpcError and nothing more. */
    private static final HessianSerializer ERROR_READER = new HessianSerializer(ClassAllowList.of(List.of(RpcError.class)));
    /** Writes anything the tests need, including classes the server refuses. */
    private static final HessianSerializer PERMISSIVE = new HessianSerializer(
            RpcTestKit.PERMISSIVE.plus(List.of(AtomicLong.class)));
    private static final int SERVER_MAX_FRAME = RpcTestKit.serverConfig().maxFrameBytes();

    private final RpcTestKit kit = new RpcTestKit();
    private RpcServer server;

    @BeforeEach
    void startServer() {
        server = kit.startServer();
    }

    @AfterEach
    void tearDown() {
        kit.close();
    }

    @Test
    void oversizedFrameGetsFrameTooLargeThenClose() throws Exception {
        RawFrames raw = kit.raw(server);

        // Only the header: the server must refuse on the declared length, before any body arrives.
        raw.writeHeader(SERVER_MAX_FRAME + 1, MAGIC, VERSION, REQUEST, 0, 1);

        RpcError error = readProtocolError(raw);
        assertThat(error.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(error.message()).contains(String.valueOf(SERVER_MAX_FRAME + 1));
        assertThat(raw.closedByPeer()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().protocolErrors() == 1);
        kit.assertServes(server);
    }

    @Test
    void hugeDeclaredLengthIsRefusedWithoutWaitingForTheBody() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeHeader(Integer.MAX_VALUE, MAGIC, VERSION, REQUEST, 0, 1);

        assertThat(readProtocolError(raw).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(raw.closedByPeer()).isTrue();
        kit.assertServes(server);
    }

    @Test
    void badMagicGetsBadFrameThenClose() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeHeader(HEADER_LENGTH, 0xCAFE, VERSION, REQUEST, 0, 1);

        RpcError error = readProtocolError(raw);
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(error.message()).contains("magic");
        assertThat(raw.closedByPeer()).isTrue();
        kit.assertServes(server);
    }

    @Test
    void badMagicIsRefusedBeforeAFullHeaderArrives() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeRaw(new byte[] {0, 0, 0, 20, 'G', 'E'});

        assertThat(readProtocolError(raw).code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(raw.closedByPeer()).isTrue();
        kit.assertServes(server);
    }

    @Test
    void unsupportedVersionGetsBadFrameThenClose() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeHeader(HEADER_LENGTH, MAGIC, 2, REQUEST, 0, 1);

        RpcError error = readProtocolError(raw);
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(error.message()).contains("version");
        assertThat(raw.closedByPeer()).isTrue();
        kit.assertServes(server);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 6, 99, 255})
    void unknownFrameTypeGetsBadFrameThenClose(int type) throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeHeader(HEADER_LENGTH, MAGIC, VERSION, type, 0, 1);

        RpcError error = readProtocolError(raw);
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(error.message()).contains("type");
        assertThat(raw.closedByPeer()).isTrue();
        kit.assertServes(server);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, HEADER_LENGTH - 1})
    void lengthShorterThanHeaderGetsBadFrameThenClose(int length) throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeHeader(length, MAGIC, VERSION, REQUEST, 0, 1);

        assertThat(readProtocolError(raw).code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(raw.closedByPeer()).isTrue();
        kit.assertServes(server);
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 42L, 0xDEADBEEFL})
    void randomGarbageClosesTheConnection(long seed) throws Exception {
        RawFrames raw = kit.raw(server);
        byte[] garbage = new byte[4096];
        new Random(seed).nextBytes(garbage);

        raw.writeRaw(garbage);

        assertThat(raw.closedByPeer()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().openConnections() == 0);
        kit.assertServes(server);
    }

    @Test
    void httpRequestOnTheRpcPortClosesTheConnection() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeRaw("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(raw.closedByPeer()).isTrue();
        kit.assertServes(server);
    }

    @Test
    void classOutsideAllowListGetsClassNotAllowedAndTheSocketStaysUsable() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeFrame(REQUEST, 0, 1, PERMISSIVE.serialize(new AtomicLong(42)));

        RawFrame refused = raw.readFrame();
        assertThat(refused.type()).isEqualTo(RESPONSE);
        assertThat(refused.flags()).isEqualTo(FLAG_ERROR);
        assertThat(refused.requestId()).isEqualTo(1);
        RpcError error = (RpcError) ERROR_READER.deserialize(refused.body());
        assertThat(error.code()).isEqualTo(ErrorCode.CLASS_NOT_ALLOWED);
        assertThat(error.message()).contains("java.util.concurrent.atomic.AtomicLong");

        assertEchoWorks(raw, 2);
        kit.assertServes(server);
    }

    @Test
    void testClassOutsideAllowListIsRefusedByName() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeFrame(REQUEST, 0, 9, PERMISSIVE.serialize(new Forbidden("exec")));

        RpcError error = readError(raw, 9);
        assertThat(error.code()).isEqualTo(ErrorCode.CLASS_NOT_ALLOWED);
        assertThat(error.message()).contains(Forbidden.class.getName());
        assertEchoWorks(raw, 10);
        kit.assertServes(server);
    }

    @Test
    void undecodableBodyGetsBadPayloadAndTheSocketStaysUsable() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeFrame(REQUEST, 0, 3, new byte[] {'O', (byte) 0xff, 1, 2, 3});

        RpcError error = readError(raw, 3);
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_PAYLOAD);
        assertEchoWorks(raw, 4);
        kit.assertServes(server);
    }

    /**
     * A ~50-byte body declaring an object with 2^31-1 fields. Regression: Hessian's allocation
     * threw OutOfMemoryError past the serializer, so the caller never got an answer.
     */
    @Test
    void bodyDeclaringAbsurdSizesGetsBadPayloadAndTheSocketStaysUsable() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeFrame(REQUEST, 0, 5, objectDefinitionWithFieldCount(Echo.class.getName(), Integer.MAX_VALUE));

        RpcError error = readError(raw, 5);
        assertThat(error.code()).isEqualTo(ErrorCode.BAD_PAYLOAD);
        assertEchoWorks(raw, 6);
        kit.assertServes(server);
    }

    @Test
    void emptyRequestGetsBadRequest() throws Exception {
        RawFrames raw = kit.raw(server);

        raw.writeFrame(REQUEST, 0, 7, kit.serializer.serialize(null));

        assertThat(readError(raw, 7).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertEchoWorks(raw, 8);
        kit.assertServes(server);
    }

    @Test
    void requestsOnOneSocketAreAnsweredWithTheirOwnIds() throws Exception {
        RawFrames raw = kit.raw(server);

        for (long id = 100; id < 110; id++) {
            raw.writeFrame(REQUEST, 0, id, kit.serializer.serialize(new Echo(id, "n" + id)));
        }

        for (long id = 100; id < 110; id++) {
            RawFrame frame = raw.readFrame();
            assertThat(frame.requestId()).isEqualTo(id);
            assertThat(((EchoReply) kit.serializer.deserialize(frame.body())).text()).isEqualTo("n" + id);
        }
    }

    /** Reads the error frame a protocol error produces: a RESPONSE with the error flag and request id 0. */
    private static RpcError readProtocolError(RawFrames raw) throws Exception {
        return readError(raw, 0);
    }

    private static RpcError readError(RawFrames raw, long requestId) throws Exception {
        RawFrame frame = raw.readFrame();
        assertThat(frame.magic()).isEqualTo(MAGIC);
        assertThat(frame.version()).isEqualTo(VERSION);
        assertThat(frame.type()).isEqualTo(RESPONSE);
        assertThat(frame.flags()).isEqualTo(FLAG_ERROR);
        assertThat(frame.requestId()).isEqualTo(requestId);
        return (RpcError) ERROR_READER.deserialize(frame.body());
    }

    private void assertEchoWorks(RawFrames raw, long requestId) throws Exception {
        raw.writeFrame(REQUEST, 0, requestId, kit.serializer.serialize(new Echo(requestId, "good")));
        RawFrame frame = raw.readFrame();
        assertThat(frame.type()).isEqualTo(RESPONSE);
        assertThat(frame.flags()).isZero();
        assertThat(frame.requestId()).isEqualTo(requestId);
        EchoReply reply = (EchoReply) kit.serializer.deserialize(frame.body());
        assertThat(reply.seq()).isEqualTo(requestId);
        assertThat(reply.text()).isEqualTo("good");
    }

    /** Hessian 2 object definition: 'O', compact-int name length, name, 'I' int32 field count. */
    private static byte[] objectDefinitionWithFieldCount(String type, int fieldCount) {
        byte[] name = type.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('O');
        out.write('I');
        out.write(name.length >>> 24);
        out.write(name.length >>> 16);
        out.write(name.length >>> 8);
        out.write(name.length);
        out.writeBytes(name);
        out.write('I');
        out.write(fieldCount >>> 24);
        out.write(fieldCount >>> 16);
        out.write(fieldCount >>> 8);
        out.write(fieldCount);
        return out.toByteArray();
    }
}
