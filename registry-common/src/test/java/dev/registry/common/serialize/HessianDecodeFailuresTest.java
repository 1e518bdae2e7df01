package dev.registry.common.serialize;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What a failed decode reports (issue 21): bad input is a SerializationException, refused
 * before Hessian allocates for a declared size; an Error of the JVM is never called bad input.
 */
class HessianDecodeFailuresTest {
    private final DataInfoId id = DataInfoId.of("com.example.EchoService", "RPC", "tenant-a");

    /**
     * Regression: OutOfMemoryError was reported as "malformed Hessian payload", so a full heap
     * looked like a peer's bad request. Simulated by a list type whose add throws it (no memory
     * is filled): any OutOfMemoryError inside the decoder must reach the caller as itself.
     */
    @Test
    void outOfMemoryWhileDecodingPropagatesInsteadOfBeingCalledMalformed() throws Exception {
        HessianSerializer serializer = new HessianSerializer(ClassAllowList.of(List.of(HeapExhaustingList.class)));
        byte[] payload = serializer.serialize(new HeapExhaustingList(List.of("a", "b")));

        assertThatThrownBy(() -> serializer.deserialize(payload))
                .isInstanceOf(OutOfMemoryError.class)
                .hasMessageContaining("simulated");
    }

    /** An absurd field count is refused by its check, not by an OutOfMemoryError caught afterwards. */
    @Test
    void absurdFieldCountIsRefusedBeforeAllocating() {
        HessianSerializer serializer = new HessianSerializer(ClassAllowList.of(List.of(DataInfoId.class)));
        for (int fields : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 8, 1 << 28, 100}) {
            byte[] payload = objectDefinition(DataInfoId.class.getName(), 'I', fields);

            SerializationException e = catchThrowableOfType(() -> serializer.deserialize(payload),
                    SerializationException.class);

            assertThat(e).as("field count %d", fields).isNotNull();
            assertThat(e.getMessage()).contains("malformed").contains("declared size " + fields);
            assertThat(e).hasRootCauseInstanceOf(java.io.IOException.class);
        }
    }

    /** The count in a form Hessian does not write (a long) is checked the same, by Hessian's own reading. */
    @Test
    void fieldCountInAnyIntegerFormIsChecked() {
        HessianSerializer serializer = new HessianSerializer(ClassAllowList.of(List.of(DataInfoId.class)));
        byte[] payload = objectDefinition(DataInfoId.class.getName(), 'L', Integer.MAX_VALUE - 8);

        assertThatThrownBy(() -> serializer.deserialize(payload))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("declared size " + (Integer.MAX_VALUE - 8));
    }

    @Test
    void absurdListLengthsAreRefused() throws Exception {
        HessianSerializer serializer = new HessianSerializer(ClassAllowList.of(List.of()));
        // 'V' 't' <type> 'l' <length>: a typed list of fixed length.
        ByteArrayOutputStream typed = new ByteArrayOutputStream();
        typed.write('V');
        typed.write('t');
        byte[] type = "java.util.ArrayList".getBytes(StandardCharsets.UTF_8);
        typed.write(0);
        typed.write(type.length);
        typed.writeBytes(type);
        typed.write('l');
        typed.writeBytes(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertThatThrownBy(() -> serializer.deserialize(typed.toByteArray()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("declared size " + Integer.MAX_VALUE);

        // 'v' <type reference> <length>: a second list of a type already named in the payload.
        byte[] twoLists = serializer.serialize(new ArrayList<>(List.of(new ArrayList<>(List.of("a")),
                new java.util.LinkedList<>(List.of("b")), new java.util.LinkedList<>(List.of("c")))));
        int v = lastIndexOf(twoLists, (byte) 'v');
        assertThat(v).as("the payload refers to the LinkedList type again").isPositive();
        byte[] absurd = new byte[v + 7];
        System.arraycopy(twoLists, 0, absurd, 0, v + 2); // 'v' and its one-byte type reference
        absurd[v + 2] = 'I';
        absurd[v + 3] = 0x7f;
        absurd[v + 4] = (byte) 0xff;
        absurd[v + 5] = (byte) 0xff;
        absurd[v + 6] = (byte) 0xff;
        assertThatThrownBy(() -> serializer.deserialize(absurd))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("declared size " + Integer.MAX_VALUE);
    }

    /** The checks refuse nothing valid: real messages, and every declared size at its exact limit. */
    @Test
    void validPayloadsStillDecode() throws Exception {
        HessianSerializer serializer = new HessianSerializer(ClassAllowList.of(List.of(DataInfoId.class,
                Publisher.class, Datum.class)));
        List<Publisher> publishers = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // field counts and lengths in every compact int form
            publishers.add(new Publisher(id, "r" + i, i, List.of("10.0.0." + (i % 250) + ":12200"), "app-ü-€",
                    "10.0.0.1", "zone-a", 1_700_000_000_000L + i, "session-1", "c" + i));
        }
        Datum datum = new Datum(id, 7, publishers);
        List<Object> nested = new ArrayList<>(List.of(new java.util.LinkedList<>(List.of("a")),
                new java.util.LinkedList<>(List.of("b")), new java.util.LinkedList<>()));

        assertThat(serializer.deserialize(serializer.serialize(datum))).usingRecursiveComparison().isEqualTo(datum);
        assertThat(serializer.deserialize(serializer.serialize(nested))).isEqualTo(nested);
        assertThat(serializer.deserialize(serializer.serialize(id))).isEqualTo(id);
    }

    /** An ArrayList whose add throws what a full heap throws. Public: Hessian instantiates it. */
    public static final class HeapExhaustingList extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;

        public HeapExhaustingList() {
        }

        HeapExhaustingList(Collection<?> content) {
            super(content); // does not call add
        }

        @Override
        public boolean add(Object element) {
            throw new OutOfMemoryError("simulated: Java heap space");
        }
    }

    /** 'O', the type name (compact int length), then the field count as {@code form} ('I' int or 'L' long). */
    private static byte[] objectDefinition(String type, char form, int fieldCount) {
        byte[] name = type.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('O');
        out.write(0x90 + name.length); // compact int, valid for lengths up to 47
        out.writeBytes(name);
        out.write(form);
        if (form == 'L') {
            out.writeBytes(new byte[4]);
        }
        out.write(fieldCount >>> 24);
        out.write(fieldCount >>> 16);
        out.write(fieldCount >>> 8);
        out.write(fieldCount);
        return out.toByteArray();
    }

    private static int lastIndexOf(byte[] bytes, byte b) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
