package dev.registry.common.serialize;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class HessianSerializerTest {
    private static final List<Class<?>> DOMAIN = List.of(DataInfoId.class, Publisher.class, Subscriber.class,
            Datum.class, SlotTable.class, SlotAssignment.class);

    private final HessianSerializer serializer = new HessianSerializer(ClassAllowList.of(DOMAIN));
    private final DataInfoId id = DataInfoId.of("com.example.EchoService", "RPC", "tenant-a");

    @Test
    void dataInfoIdRoundTrips() throws Exception {
        assertThat(roundTrip(id)).isEqualTo(id);
    }

    @Test
    void publisherRoundTripsWithEveryField() throws Exception {
        Publisher publisher = publisher("r1", List.of("10.0.0.1:12200", "10.0.0.1:12201"));

        Publisher copy = (Publisher) roundTrip(publisher);

        assertThat(copy).isEqualTo(publisher);
        assertThat(copy.values()).containsExactly("10.0.0.1:12200", "10.0.0.1:12201");
        assertThat(copy.sessionId()).isEqualTo("session-1");
        assertThat(copy.connectionId()).isEqualTo("c1-/10.0.0.1:5000");
    }

    @Test
    void subscriberRoundTrips() throws Exception {
        Subscriber subscriber = new Subscriber(id, "s1", "app", "10.0.0.2", "zone-a", 1234L);

        Subscriber copy = (Subscriber) roundTrip(subscriber);

        assertThat(copy.dataInfoId()).isEqualTo(id);
        assertThat(copy.registerId()).isEqualTo("s1");
        assertThat(copy.appName()).isEqualTo("app");
        assertThat(copy.ip()).isEqualTo("10.0.0.2");
        assertThat(copy.zone()).isEqualTo("zone-a");
        assertThat(copy.registeredAtMillis()).isEqualTo(1234L);
    }

    @Test
    void datumRoundTripsWithItsPublishers() throws Exception {
        Datum datum = new Datum(id, 42, List.of(publisher("r1", List.of("a")), publisher("r2", List.of("b", "c"))));

        Datum copy = (Datum) roundTrip(datum);

        assertThat(copy.dataInfoId()).isEqualTo(id);
        assertThat(copy.version()).isEqualTo(42);
        assertThat(copy.publishers()).containsExactlyElementsOf(datum.publishers());
        assertThat(copy.values()).containsExactly("a", "b", "c");
    }

    @Test
    void emptyDatumRoundTrips() throws Exception {
        Datum copy = (Datum) roundTrip(Datum.empty(id, 7));

        assertThat(copy.publishers()).isEmpty();
        assertThat(copy.version()).isEqualTo(7);
    }

    @Test
    void slotTableRoundTripsIncludingSlotsWithoutLeader() throws Exception {
        SlotTable table = new SlotTable(9, List.of(
                new SlotAssignment(0, "10.0.0.1:9600", List.of("10.0.0.2:9600")),
                new SlotAssignment(1, null, List.of()),
                new SlotAssignment(2, "10.0.0.2:9600", List.of("10.0.0.1:9600", "10.0.0.3:9600"))));

        SlotTable copy = (SlotTable) roundTrip(table);

        assertThat(copy.epoch()).isEqualTo(9);
        assertThat(copy.sameAssignments(table)).isTrue();
        assertThat(copy.slot(1).leader()).isNull();
        assertThat(copy.slotOf(id)).isEqualTo(table.slotOf(id));
    }

    @Test
    void jdkBasicsRoundTrip() throws Exception {
        Map<String, List<Long>> map = new HashMap<>();
        map.put("k", new ArrayList<>(List.of(1L, 2L)));

        assertThat(roundTrip(map)).isEqualTo(map);
        assertThat(roundTrip("text ü")).isEqualTo("text ü");
        assertThat(roundTrip(null)).isNull();
    }

    @Test
    void rejectsClassOutsideAllowListAndNamesIt() throws Exception {
        HessianSerializer strict = new HessianSerializer(ClassAllowList.of(List.of(DataInfoId.class)));
        byte[] bytes = serializer.serialize(publisher("r1", List.of("a")));

        SerializationException e = catchThrowableOfType(SerializationException.class, () -> strict.deserialize(bytes));

        assertThat(e.rejectedClass()).isEqualTo(Publisher.class.getName());
        assertThat(e.getMessage()).contains(Publisher.class.getName());
    }

    @Test
    void rejectsDisallowedClassNestedInsideAnAllowedOne() throws Exception {
        HessianSerializer strict = new HessianSerializer(ClassAllowList.of(List.of(Datum.class, DataInfoId.class)));
        byte[] bytes = serializer.serialize(new Datum(id, 1, List.of(publisher("r1", List.of("a")))));

        SerializationException e = catchThrowableOfType(SerializationException.class, () -> strict.deserialize(bytes));

        assertThat(e.rejectedClass()).isEqualTo(Publisher.class.getName());
    }

    @Test
    void rejectsJdkClassesThatAreNotBasics() throws Exception {
        HessianSerializer permissive = new HessianSerializer(ClassAllowList.of(List.of(AtomicLong.class)));
        byte[] bytes = permissive.serialize(new AtomicLong(5));

        SerializationException e = catchThrowableOfType(SerializationException.class, () -> serializer.deserialize(bytes));

        assertThat(e.rejectedClass()).isEqualTo("java.util.concurrent.atomic.AtomicLong");
    }

    @Test
    void rejectedClassIsNeverInstantiated() throws Exception {
        HessianSerializer permissive = new HessianSerializer(ClassAllowList.of(List.of(Tripwire.class)));
        byte[] bytes = permissive.serialize(new Tripwire());
        Tripwire.CONSTRUCTED.set(false);

        SerializationException e = catchThrowableOfType(SerializationException.class, () -> serializer.deserialize(bytes));

        assertThat(e.rejectedClass()).isEqualTo(Tripwire.class.getName());
        assertThat(Tripwire.CONSTRUCTED).isFalse();
        // Sanity check that the tripwire works: the permissive side does construct it.
        permissive.deserialize(bytes);
        assertThat(Tripwire.CONSTRUCTED).isTrue();
    }

    @Test
    void allowListMatchesExactNamesOnly() {
        ClassAllowList list = ClassAllowList.of(List.of(Publisher.class));

        assertThat(list.allows(Publisher.class.getName())).isTrue();
        assertThat(list.allows("dev.registry.common.model.PublisherX")).isFalse();
        assertThat(list.allows("dev.registry.common.model.*")).isFalse();
        assertThat(list.allows("dev.registry.common.model")).isFalse();
        assertThat(list.allows("java.lang.String")).isTrue();
        assertThat(list.plus(List.of(Datum.class)).allows(Datum.class.getName())).isTrue();
        assertThat(list.allows(Datum.class.getName())).isFalse();
    }

    @Test
    void everyTruncationIsASerializationException() throws Exception {
        byte[] bytes = serializer.serialize(new Datum(id, 3, List.of(publisher("r1", List.of("a", "b")))));

        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> serializer.deserialize(prefix))
                    .as("prefix of %d/%d bytes", length, bytes.length)
                    .isInstanceOf(SerializationException.class);
        }
    }

    @Test
    void deserializeHonoursOffsetAndLength() throws Exception {
        byte[] bytes = serializer.serialize(id);
        byte[] padded = new byte[bytes.length + 10];
        System.arraycopy(bytes, 0, padded, 5, bytes.length);

        assertThat(serializer.deserialize(padded, 5, bytes.length)).isEqualTo(id);
    }

    /**
     * Random bytes, truncations and byte flips of a real payload: whatever happens, the only
     * failure a caller may see is SerializationException (never OutOfMemoryError, ClassCastException ...).
     */
    @Test
    void garbageOnlyEverFailsWithSerializationException() throws Exception {
        byte[] good = serializer.serialize(new Datum(id, 3, List.of(publisher("r1", List.of("a", "b")))));
        Random random = new Random(20240611L);
        List<String> escaped = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            byte[] input = switch (i % 3) {
                case 0 -> randomBytes(random, random.nextInt(80));
                case 1 -> Arrays.copyOf(good, random.nextInt(good.length));
                default -> flipBytes(good, random, 1 + random.nextInt(3));
            };
            try {
                serializer.deserialize(input);
            } catch (SerializationException expected) {
                // the contract
            } catch (Throwable t) {
                escaped.add("input #" + i + ": " + t);
            }
        }
        assertThat(escaped).isEmpty();
    }

    /**
     * An object definition declaring 2^31-1 fields: Hessian allocates the field-name array from
     * that number before reading any name. Regression: this escaped as OutOfMemoryError.
     */
    @Test
    void objectDefinitionWithAbsurdFieldCountIsRejected() {
        for (int fields : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 8, -1}) {
            byte[] payload = objectDefinition(DataInfoId.class.getName(), fields);

            assertThatThrownBy(() -> serializer.deserialize(payload))
                    .as("field count %d", fields)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("malformed");
        }
    }

    @Test
    void deeplyNestedListsAreRejectedNotOverflowingTheStack() {
        // 'V' 'n' 0x01 opens a one-element list; nest far deeper than any real message.
        int depth = 200_000;
        byte[] payload = new byte[depth * 3];
        for (int i = 0; i < depth; i++) {
            payload[3 * i] = 'V';
            payload[3 * i + 1] = 'n';
            payload[3 * i + 2] = 1;
        }

        assertThatThrownBy(() -> serializer.deserialize(payload)).isInstanceOf(SerializationException.class);
    }

    private Object roundTrip(Object value) throws SerializationException {
        return serializer.deserialize(serializer.serialize(value));
    }

    private Publisher publisher(String registerId, List<String> values) {
        return new Publisher(id, registerId, 3, values, "app", "10.0.0.1", "zone-a", 1_700_000_000_000L,
                "session-1", "c1-/10.0.0.1:5000");
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    private static byte[] flipBytes(byte[] good, Random random, int count) {
        byte[] b = good.clone();
        for (int k = 0; k < count; k++) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        return b;
    }

    /** Hessian 2 (this dialect): 'O', type name as a compact int length + bytes, field count as 'I' int32. */
    private static byte[] objectDefinition(String type, int fieldCount) {
        byte[] name = type.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('O');
        out.write(0x90 + name.length); // compact int, valid for lengths up to 47
        out.writeBytes(name);
        out.write('I');
        out.write(fieldCount >>> 24);
        out.write(fieldCount >>> 16);
        out.write(fieldCount >>> 8);
        out.write(fieldCount);
        return out.toByteArray();
    }

    /** Records whether anyone ran its constructor. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean CONSTRUCTED = new AtomicBoolean();

        @SuppressWarnings("unused")
        private String payload = "boom";

        Tripwire() {
            CONSTRUCTED.set(true);
        }
    }
}
