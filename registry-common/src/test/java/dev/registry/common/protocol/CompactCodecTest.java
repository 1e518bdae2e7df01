package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;
import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompactCodecTest {
    private static final DataInfoId ID = DataInfoId.of("com.example.Orders", "PROD", "tenant-ü");
    private static final Publisher PUB = new Publisher(ID, "reg-1", 7, List.of("10.0.0.1:8080?x=1", "ünïcode-✓"),
            "orders", "10.0.0.1", "zone-a", 1234567L, "127.0.0.1:9600", "c17-/127.0.0.1:5000");
    private static final Publisher SPARSE = new Publisher(ID, "reg-2", 0, List.of(), null, null, null, 0, null, null);

    /** One of every message the codec writes, with nulls and non-ASCII where fields allow them. */
    static List<Object> samples() {
        LinkedHashMap<String, ArrayList<String>> byZone = new LinkedHashMap<>();
        byZone.put("zone-a", new ArrayList<>(List.of("a", "b")));
        byZone.put("", new ArrayList<>(List.of("c")));
        ArrayList<OpLogEntry> entries = new ArrayList<>(List.of(
                new OpLogEntry(1, 1, PUB, ID, "reg-1", 100, 5),
                new OpLogEntry(2, 2, null, ID, "reg-2", 101, 6)));
        return List.of(
                new RegisterPublisherRequest(PUB), new RegisterPublisherRequest(SPARSE),
                new RegisterAck("reg-1", 42), new RegisterAck(null, -1),
                new RegisterPublishersRequest(List.of(PUB, SPARSE, PUB)),
                new RegisterPublishersResponse(List.of(new RegisterAck("reg-1", 3),
                        new dev.registry.common.rpc.RpcError(dev.registry.common.rpc.ErrorCode.BAD_REQUEST, "too long ü", 0),
                        new dev.registry.common.rpc.RpcError(dev.registry.common.rpc.ErrorCode.NOT_LEADER, null, 7))),
                new PushRequest(ID, Long.MAX_VALUE, new ArrayList<>(List.of("s1", "s2")), byZone),
                new PushRequest(ID, 0, new ArrayList<>(), new LinkedHashMap<>()),
                new PushAck(9), PushAck.resync(10),
                PushRequest.delta(ID, 12, new ArrayList<>(List.of("s1")), 11, -42L, List.of(
                        new ZoneSplice("zone-a", 1, 1, List.of("b2", "ünïcode")), new ZoneSplice("", 0, 1, List.of()))),
                new RegisterSubscriberRequest(new Subscriber(ID, "sub-1", "app", "10.0.0.2", "z", 99), -1),
                new RegisterSubscriberRequest(new Subscriber(ID, "sub-2", null, null, null, 0), 12),
                new UnregisterPublisherRequest(ID, "reg-1"), new UnregisterSubscriberRequest(ID, "sub-1"),
                new WritePublisherRequest(3, 255, PUB),
                new RemovePublisherRequest(3, 0, ID, "reg-1", null),
                new RemovePublisherRequest(Long.MIN_VALUE, Integer.MAX_VALUE, ID, "reg-1", "c1"),
                RemovePublisherRequest.leftBehind(3, 7, ID, "reg-1", "app-a"),
                RemovePublisherRequest.leftBehind(3, 7, ID, "reg-1", null),
                new WriteResult(77, true), new WriteResult(0, false),
                new LeaderWritesRequest(List.of(new WritePublisherRequest(3, 255, PUB),
                        new RemovePublisherRequest(3, 0, ID, "reg-1", "c1"),
                        RemovePublisherRequest.leftBehind(3, 7, ID, "reg-1", "app-a"),
                        new WritePublisherRequest(4, 1, SPARSE))),
                new LeaderWritesResponse(List.of(new WriteResult(77, true),
                        new dev.registry.common.rpc.RpcError(dev.registry.common.rpc.ErrorCode.NOT_LEADER, "not ü", 9),
                        new WriteResult(0, false))),
                new DataChangeNotice(ID, 5),
                new FetchDatumRequest(4, ID), FetchDatumRequest.localCopy(ID), FetchDatumRequest.forPush(5, ID),
                new DatumValues(ID, 3, 2, byZone), DatumValues.of(new Datum(ID, 8, List.of(PUB, SPARSE), 1000)),
                new Datum(ID, 8, List.of(PUB, SPARSE), 1000), Datum.empty(ID, 0),
                new ReplicateRequest(2, 17, "log-a", 1, entries),
                new ReplicateRequest(2, 17, "log-a", 1, new ArrayList<>()),
                new ReplicateResponse(true, "log-a", 2), new ReplicateResponse(false, null, 0));
    }

    @Test
    void everyHotPathMessageRoundTripsToAnEqualMessage() throws Exception {
        Serializer hessian = WireClasses.hessianSerializer();
        for (Object message : samples()) {
            assertThat(CompactCodec.supports(message)).as("%s", message.getClass()).isTrue();
            byte[] bytes = CompactCodec.encode(message);
            assertThat(bytes[0]).isEqualTo(CompactCodec.MARKER);
            Object back = CompactCodec.decode(bytes, 0, bytes.length);
            // Hessian is the reference: both forms must carry exactly the same fields.
            assertThat(back).usingRecursiveComparison().ignoringFieldsMatchingRegexes("(.*\\.)?(slotHash|hash|canonical)")
                    .isEqualTo(hessian.deserialize(hessian.serialize(message)));
        }
    }

    @Test
    void aBatchOfLeaderWritesHoldsOnlyWritesAndAtMostItsLimit() throws Exception {
        assertThatThrownBy(() -> new LeaderWritesRequest(List.of(new WriteResult(1, true))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WritePublisherRequest");
        assertThatThrownBy(() -> new LeaderWritesRequest(List.of()).validate())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i <= LeaderWritesRequest.MAX_WRITES; i++) {
            tooMany.add(new WritePublisherRequest(1, 1, PUB));
        }
        byte[] bytes = CompactCodec.encode(new LeaderWritesRequest(tooMany));
        LeaderWritesRequest decoded = (LeaderWritesRequest) CompactCodec.decode(bytes, 0, bytes.length);
        assertThatThrownBy(decoded::validate).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + LeaderWritesRequest.MAX_WRITES);
        // A batch whose element is not a write (here: a WRITE_RESULT's type code) is malformed.
        byte[] one = CompactCodec.encode(new LeaderWritesRequest(List.of(new WritePublisherRequest(1, 1, SPARSE))));
        byte[] result = CompactCodec.encode(new WriteResult(5, true));
        byte[] forged = new byte[3 + result.length - 1];
        System.arraycopy(one, 0, forged, 0, 3); // marker, LEADER_WRITES, count
        System.arraycopy(result, 1, forged, 3, result.length - 1);
        assertThatThrownBy(() -> CompactCodec.decode(forged, 0, forged.length))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not a leader write");
    }

    @Test
    void theWireSerializerReadsBothFormsAndWritesHessianForEverythingElse() throws Exception {
        Serializer wire = WireClasses.serializer();
        Serializer hessian = WireClasses.hessianSerializer();
        Object fromOldPeer = hessian.deserialize(hessian.serialize(new WriteResult(5, true)));
        assertThat(wire.deserialize(hessian.serialize(new WriteResult(5, true))))
                .usingRecursiveComparison().isEqualTo(fromOldPeer);
        SessionList other = new SessionList(List.of("a:1"));
        byte[] bytes = wire.serialize(other);
        assertThat(bytes[0]).isNotEqualTo(CompactCodec.MARKER);
        assertThat(wire.deserialize(bytes)).usingRecursiveComparison().isEqualTo(other);
    }

    @Test
    void decodedIdsAndSharedAttributesAreOneInstance() throws Exception {
        byte[] bytes = CompactCodec.encode(new RegisterPublisherRequest(PUB));
        Publisher a = ((RegisterPublisherRequest) CompactCodec.decode(bytes, 0, bytes.length)).publisher();
        Publisher b = ((RegisterPublisherRequest) CompactCodec.decode(bytes, 0, bytes.length)).publisher();
        assertThat(a.dataInfoId()).isSameAs(b.dataInfoId());
        assertThat(a.appName()).isSameAs(b.appName());
        assertThat(a.connectionId()).isSameAs(b.connectionId());
        assertThat(a.values().get(0)).isNotSameAs(b.values().get(0));
    }

    @Test
    void everyTruncationIsAClearErrorNeverAnotherException() {
        for (Object message : samples()) {
            byte[] bytes = CompactCodec.encode(message);
            for (int len = 0; len < bytes.length; len++) {
                int n = len;
                assertThatThrownBy(() -> CompactCodec.decode(bytes, 0, n)).as("%s cut at %d", message.getClass(), n)
                        .isInstanceOf(SerializationException.class).hasMessageContaining("malformed compact payload");
            }
        }
    }

    @Test
    void mutatedPayloadsDecodeOrFailWithASerializationExceptionOnly() {
        Random random = new Random(7);
        List<Object> samples = samples();
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = CompactCodec.encode(samples.get(random.nextInt(samples.size()))).clone();
            for (int m = 1 + random.nextInt(4); m > 0; m--) {
                bytes[1 + random.nextInt(bytes.length - 1)] = (byte) random.nextInt(256);
            }
            try {
                CompactCodec.decode(bytes, 0, bytes.length);
                decoded++;
            } catch (SerializationException e) {
                refused++;
            }
        }
        assertThat(decoded).as("some mutations keep a valid shape").isPositive();
        assertThat(refused).as("most mutations are refused").isPositive();
    }

    @Test
    void aHugeDeclaredLengthIsRefusedBeforeAllocating() {
        // marker, PUSH_ACK-like type of a list-bearing message: Datum with a count of ~2^62.
        byte[] bytes = {CompactCodec.MARKER, 13, 3, 'a', 3, 'b', 3, 'c', 2, 2, (byte) 0xfe, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        assertThatThrownBy(() -> CompactCodec.decode(bytes, 0, bytes.length))
                .isInstanceOf(SerializationException.class).hasMessageContaining("exceeds");
        byte[] unknown = {CompactCodec.MARKER, 99};
        assertThatThrownBy(() -> CompactCodec.decode(unknown, 0, unknown.length))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown message type 99");
    }
    @Test
    void theDataServersCopyIsTheSessionsObjectOnlyWhenSharingIsOn() throws Exception {
        String value = "10.9.9.9:" + "x".repeat(200);
        Publisher stamped = new Publisher(ID, "reg-shared", 1, List.of(value), "app", "10.9.9.9", "z", 1,
                "127.0.0.1:9600", "c1");
        byte[] forward = CompactCodec.encode(new WritePublisherRequest(1, 2, stamped));
        Publisher apart = ((WritePublisherRequest) CompactCodec.decode(forward, 0, forward.length)).publisher();
        assertThat(apart).isEqualTo(stamped).isNotSameAs(stamped);
        WireInterner.shareRegistrations(true);
        try {
            Publisher session = WireInterner.registration(stamped);
            Publisher data = ((WritePublisherRequest) CompactCodec.decode(forward, 0, forward.length)).publisher();
            assertThat(data).isSameAs(session).isSameAs(stamped);
            // A newer version is another object: nothing older is ever handed out for it.
            byte[] newer = CompactCodec.encode(new WritePublisherRequest(1, 2, new Publisher(ID, "reg-shared", 2,
                    List.of("v2"), "app", "10.9.9.9", "z", 1, "127.0.0.1:9600", "c1")));
            Publisher second = ((WritePublisherRequest) CompactCodec.decode(newer, 0, newer.length)).publisher();
            assertThat(second.version()).isEqualTo(2);
            assertThat(second.values()).containsExactly("v2");
        } finally {
            WireInterner.shareRegistrations(false);
        }
    }

    @Test
    void theValuesOfAPushRoundAreEncodedOnceAndStayCorrectForEveryPush() throws Exception {
        LinkedHashMap<String, ArrayList<String>> round = new LinkedHashMap<>();
        ArrayList<String> values = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            values.add("10.0.0." + i + ":8080?" + "p".repeat(50));
        }
        round.put("zone-a", values);
        round.put("", new ArrayList<>(List.of("ünïcode-✓")));
        LinkedHashMap<String, ArrayList<String>> next = new LinkedHashMap<>();
        next.put("zone-b", new ArrayList<>(List.of("only")));
        for (Object message : List.of(
                new PushRequest(ID, 5, new ArrayList<>(List.of("s1")), round),
                new PushRequest(ID, 5, new ArrayList<>(List.of("s2", "s3")), round),
                new PushRequest(ID, 6, new ArrayList<>(List.of("s4")), next),
                new PushRequest(ID, 5, new ArrayList<>(List.of("s5")), round))) {
            byte[] bytes = CompactCodec.encode(message);
            PushRequest back = (PushRequest) CompactCodec.decode(bytes, 0, bytes.length);
            PushRequest sent = (PushRequest) message;
            assertThat(back.subscriberIds()).isEqualTo(sent.subscriberIds());
            assertThat(back.version()).isEqualTo(sent.version());
            assertThat(back.valuesByZone()).isEqualTo(sent.valuesByZone());
        }
    }
}
