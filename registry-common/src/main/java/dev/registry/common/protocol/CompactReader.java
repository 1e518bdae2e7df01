package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;
import dev.registry.common.serialize.SerializationException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Bounds-checked reads of {@link CompactCodec}'s layout over one payload.
 *
 * <p>Threading: one instance per decode, on the decoding thread.
 */
final class CompactReader {
    private final byte[] bytes;
    private final int end;
    private int pos;

    CompactReader(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = offset + length;
    }

    int remaining() {
        return end - pos;
    }

    SerializationException malformed(String why) {
        return new SerializationException("malformed compact payload: " + why);
    }

    int raw() throws SerializationException {
        if (pos >= end) {
            throw malformed("truncated");
        }
        return bytes[pos++];
    }

    boolean bool() throws SerializationException {
        int b = raw();
        if (b != 0 && b != 1) {
            throw malformed("bad boolean " + b);
        }
        return b == 1;
    }

    long varLong() throws SerializationException {
        long z = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = raw();
            z |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (z >>> 1) ^ -(z & 1);
            }
        }
        throw malformed("varint longer than 10 bytes");
    }

    int intValue() throws SerializationException {
        long v = varLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw malformed("int out of range: " + v);
        }
        return (int) v;
    }

    /** A length or count: -1 for null, else checked against the bytes left (each element takes one or more). */
    int count() throws SerializationException {
        long v = varLong();
        if (v < 0 || v - 1 > remaining()) {
            throw malformed("length " + (v - 1) + " exceeds the " + remaining() + " bytes left");
        }
        return (int) v - 1;
    }

    String string() throws SerializationException {
        int n = count();
        if (n < 0) {
            return null;
        }
        String s = new String(bytes, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    String internedString() throws SerializationException {
        int n = count();
        if (n < 0) {
            return null;
        }
        String s = n <= DecodeCache.MAX_LENGTH ? DecodeCache.internedString(bytes, pos, n)
                : WireInterner.string(new String(bytes, pos, n, StandardCharsets.UTF_8));
        pos += n;
        return s;
    }

    ArrayList<String> strings(boolean intern) throws SerializationException {
        int n = count();
        if (n < 0) {
            return null;
        }
        ArrayList<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(intern ? internedString() : string());
        }
        return out;
    }

    LinkedHashMap<String, ArrayList<String>> byZone() throws SerializationException {
        int zones = count();
        if (zones < 0) {
            return null;
        }
        LinkedHashMap<String, ArrayList<String>> byZone = new LinkedHashMap<>();
        for (int i = 0; i < zones; i++) {
            byZone.put(internedString(), strings(false));
        }
        return byZone;
    }

    DataInfoId id() throws SerializationException {
        String dataId = internedString();
        String group = internedString();
        String instanceId = internedString();
        if (dataId == null || group == null || instanceId == null) {
            throw malformed("dataInfoId with a missing part");
        }
        return DecodeCache.id(dataId, group, instanceId);
    }

    DataInfoId nullableId() throws SerializationException {
        return bool() ? id() : null;
    }

    Publisher publisher() throws SerializationException {
        DataInfoId id = id();
        String registerId = string();
        if (registerId == null) {
            throw malformed("publisher without a registerId");
        }
        long version = varLong();
        ArrayList<String> values = strings(false);
        return new Publisher(id, registerId, version, values == null ? List.of() : values, internedString(),
                internedString(), internedString(), varLong(), internedString(), internedString());
    }

    Subscriber subscriber() throws SerializationException {
        DataInfoId id = id();
        return new Subscriber(id, string(), internedString(), internedString(), internedString(), varLong());
    }
}
