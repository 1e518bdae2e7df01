package dev.registry.session.bolt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.registry.session.bolt.SofaDumps.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bolt v1 framing with the frames SOFARegistry's client really sends (spec §2 and §6.3). */
class BoltFrameDecoderTest {
    private static final String PUBLISHER_REGISTER = "com.alipay.sofa.registry.core.model.PublisherRegister";
    private static final int MAX = 64 * 1024;

    /** The client's heartbeat: 22 bytes, cmdcode 0, timeout -1, no class, no content. */
    private static final byte[] HEARTBEAT = {
            0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a, 0x01,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    /** The ack it waits for: 20 bytes, type 0, same id, status 0. */
    private static final byte[] HEARTBEAT_ACK = {
            0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a, 0x01,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

    /** A PublisherRegister request as the client frames it: 22-byte header, class name, Hessian content. */
    static byte[] publisherRequestFrame(int requestId) {
        byte[] cls = PUBLISHER_REGISTER.getBytes(StandardCharsets.UTF_8);
        byte[] content = bytes(SofaDumps.PUBLISHER_REGISTER);
        ByteBuf b = Unpooled.buffer();
        b.writeByte(1).writeByte(1).writeShort(1).writeByte(1).writeInt(requestId).writeByte(1).writeInt(1000)
                .writeShort(cls.length).writeShort(0).writeInt(content.length).writeBytes(cls).writeBytes(content);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new BoltFrameDecoder(MAX));
    }

    @Test
    void decodesTheClientHeartbeatAndEncodesTheAckItExpects() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(HEARTBEAT));
        BoltCommand hb = ch.readInbound();
        assertThat(hb.isHeartbeat()).isTrue();
        assertThat(hb.type()).isEqualTo(BoltProtocol.TYPE_REQUEST);
        assertThat(hb.requestId()).isEqualTo(42);
        assertThat(hb.timeoutMillis()).isEqualTo(-1);
        assertThat(hb.className()).isNull();
        assertThat(hb.content()).isEmpty();

        ByteBuf ack = Unpooled.buffer();
        BoltFrameEncoder.encode(BoltCommand.heartbeatAck(hb.requestId()), ack);
        byte[] wire = new byte[ack.readableBytes()];
        ack.readBytes(wire);
        assertThat(wire).containsExactly(HEARTBEAT_ACK);
        ByteBuf own = Unpooled.buffer();
        BoltFrameEncoder.encode(BoltCommand.heartbeat(42), own);
        assertThat(own.readableBytes()).isEqualTo(22);
        assertThat(ByteBufBytes.of(own)).containsExactly(HEARTBEAT);
    }

    @Test
    void decodesARegistrationDeliveredOneByteAtATime() {
        EmbeddedChannel ch = channel();
        byte[] frame = publisherRequestFrame(7);
        for (byte b : frame) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
        }
        BoltCommand cmd = ch.readInbound();
        assertThat(cmd.requestId()).isEqualTo(7);
        assertThat(cmd.cmdCode()).isEqualTo(BoltProtocol.CMD_REQUEST);
        assertThat(cmd.codec()).isEqualTo(BoltProtocol.CODEC_HESSIAN2);
        assertThat(cmd.timeoutMillis()).isEqualTo(1000);
        assertThat(cmd.className()).isEqualTo(PUBLISHER_REGISTER);
        assertThat(cmd.content()).containsExactly(bytes(SofaDumps.PUBLISHER_REGISTER));
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void decodesFramesCoalescedInOneRead() {
        EmbeddedChannel ch = channel();
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(HEARTBEAT).writeBytes(publisherRequestFrame(8)).writeBytes(HEARTBEAT, 0, 10);
        ch.writeInbound(b);
        assertThat(((BoltCommand) ch.readInbound()).isHeartbeat()).isTrue();
        assertThat(((BoltCommand) ch.readInbound()).requestId()).isEqualTo(8);
        assertThat((Object) ch.readInbound()).as("a partial third frame waits").isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(HEARTBEAT, 10, 12));
        assertThat(((BoltCommand) ch.readInbound()).requestId()).isEqualTo(42);
    }

    @Test
    void decodesResponsesWithTheirTwentyByteHeader() {
        ByteBuf b = Unpooled.buffer();
        byte[] content = bytes(SofaDumps.RESULT);
        BoltFrameEncoder.encode(BoltCommand.response(9, (byte) 1, BoltProtocol.Status.SUCCESS,
                "com.alipay.sofa.registry.core.model.Result", content), b);
        assertThat(b.readableBytes()).isEqualTo(20 + "com.alipay.sofa.registry.core.model.Result".length() + content.length);
        EmbeddedChannel ch = channel();
        ch.writeInbound(b);
        BoltCommand r = ch.readInbound();
        assertThat(r.isResponse()).isTrue();
        assertThat(r.status()).isEqualTo(BoltProtocol.Status.SUCCESS.code);
        assertThat(r.content()).containsExactly(content);
    }

    @Test
    void refusesAnotherProtocolAtTheFirstByte() {
        EmbeddedChannel ch = channel();
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(DecoderException.class).hasRootCauseInstanceOf(BoltFrameException.class)
                .rootCause().hasMessageContaining("unknown protocol code 0x47");
        // Bolt v2 (protocol code 2) is not served either.
        assertThatThrownBy(() -> channel().writeInbound(Unpooled.wrappedBuffer(new byte[]{2})))
                .rootCause().hasMessageContaining("protocol code 0x02");
    }

    @Test
    void refusesAnUnknownCommandTypeOrCode() {
        assertThatThrownBy(() -> channel().writeInbound(Unpooled.wrappedBuffer(new byte[]{1, 9})))
                .rootCause().hasMessageContaining("command type 9");
        byte[] frame = HEARTBEAT.clone();
        frame[3] = 5;
        assertThatThrownBy(() -> channel().writeInbound(Unpooled.wrappedBuffer(frame)))
                .rootCause().isInstanceOf(BoltFrameException.class).hasMessageContaining("command code 5");
    }

    @Test
    void refusesAnOversizedFrameFromItsHeaderBeforeAllocating() {
        ByteBuf b = Unpooled.buffer();
        // Header only: declares 2 GiB of content; nothing more is ever sent.
        b.writeByte(1).writeByte(1).writeShort(1).writeByte(1).writeInt(11).writeByte(1).writeInt(1000)
                .writeShort(4).writeShort(0).writeInt(Integer.MAX_VALUE);
        EmbeddedChannel ch = channel();
        assertThatThrownBy(() -> ch.writeInbound(b)).rootCause()
                .isInstanceOf(BoltFrameException.class)
                .hasMessageContaining("exceeds the maximum of " + MAX)
                .satisfies(e -> assertThat(((BoltFrameException) e).requestId).isEqualTo(11));
        // After a failure the stream is discarded: later bytes produce nothing.
        ch.writeInbound(Unpooled.wrappedBuffer(HEARTBEAT));
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void refusesNegativeAndAbsurdLengths() {
        ByteBuf negative = Unpooled.buffer();
        negative.writeByte(1).writeByte(1).writeShort(1).writeByte(1).writeInt(1).writeByte(1).writeInt(1000)
                .writeShort(-2).writeShort(0).writeInt(0);
        assertThatThrownBy(() -> channel().writeInbound(negative)).rootCause().hasMessageContaining("negative length");
        ByteBuf longName = Unpooled.buffer();
        longName.writeByte(1).writeByte(1).writeShort(1).writeByte(1).writeInt(1).writeByte(1).writeInt(1000)
                .writeShort(5000).writeShort(0).writeInt(0);
        assertThatThrownBy(() -> channel().writeInbound(longName)).rootCause().hasMessageContaining("class name of 5000 bytes");
    }

    /** Reads a buffer's bytes. */
    static final class ByteBufBytes {
        static byte[] of(ByteBuf b) {
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        }
    }
}
