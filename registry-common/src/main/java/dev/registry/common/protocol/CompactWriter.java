package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the fields of {@link CompactCodec}'s layout into a growable buffer, one per thread,
 * reused across messages.
 *
 * <p>Threading: confined to one thread (CompactCodec keeps one per thread).
 */
final class CompactWriter {
    private static final int KEEP_AT_MOST = 1 << 20;
    /** Encoded value lists smaller than this are not worth keeping for the next push. */
    private static final int SHARE_FROM_BYTES = 1024;
    private byte[] buf = new byte[4096];
    private int pos;
    /** The values of the last push this thread encoded, and their bytes (see byZoneOncePerRound). */
    private Map<String, ArrayList<String>> lastValues;
    private byte[] lastValuesBytes;

    void reset() {
        if (buf.length > KEEP_AT_MOST) {
            buf = new byte[4096]; // one huge message must not pin its buffer forever
        }
        pos = 0;
    }

    byte[] toByteArray() {
        return java.util.Arrays.copyOf(buf, pos);
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    void raw(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void bool(boolean b) {
        raw(b ? 1 : 0);
    }

    void varLong(long v) {
        long z = (v << 1) ^ (v >> 63); // zig-zag: small negatives stay short
        ensure(10);
        while ((z & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        buf[pos++] = (byte) z;
    }

    void string(String s) {
        if (s == null) {
            varLong(0);
            return;
        }
        // The usual value is ASCII: its chars are its UTF-8 bytes, written in place without the
        // temporary array getBytes makes (a push round writes every value of the id's list).
        int n = s.length();
        int start = pos;
        varLong(n + 1L);
        ensure(n);
        int i = 0;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                break;
            }
            buf[pos + i] = (byte) c;
        }
        if (i == n) {
            pos += n;
            return;
        }
        pos = start; // not ASCII: the byte length differs from the char count
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        varLong(utf8.length + 1L);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buf, pos, utf8.length);
        pos += utf8.length;
    }

    void count(java.util.Collection<?> c) {
        varLong(c == null ? 0 : c.size() + 1L);
    }

    void count(Map<?, ?> m) {
        varLong(m == null ? 0 : m.size() + 1L);
    }

    void strings(List<String> list) {
        count(list);
        if (list != null) {
            for (String s : list) {
                string(s);
            }
        }
    }

    void byZone(Map<String, ArrayList<String>> byZone) {
        count(byZone);
        if (byZone != null) {
            for (Map.Entry<String, ArrayList<String>> e : byZone.entrySet()) {
                string(e.getKey());
                strings(e.getValue());
            }
        }
    }

    /**
     * A push round sends the one values map of its datum to every subscriber connection, one
     * push after the other on the same thread: the map is encoded for the first and its bytes
     * copied for the rest (a 200-publisher list is 200 string encodes, a copy is one memcpy).
     * Relies on what {@link PushRequest} states: its map is never changed once it is in a request.
     */
    void byZoneOncePerRound(Map<String, ArrayList<String>> byZone) {
        if (byZone != null && byZone == lastValues) {
            ensure(lastValuesBytes.length);
            System.arraycopy(lastValuesBytes, 0, buf, pos, lastValuesBytes.length);
            pos += lastValuesBytes.length;
            return;
        }
        int start = pos;
        byZone(byZone);
        boolean keep = byZone != null && pos - start >= SHARE_FROM_BYTES && pos - start <= KEEP_AT_MOST;
        lastValues = keep ? byZone : null;
        lastValuesBytes = keep ? java.util.Arrays.copyOfRange(buf, start, pos) : null;
    }

    void id(DataInfoId id) {
        string(id.dataId());
        string(id.group());
        string(id.instanceId());
    }

    void nullableId(DataInfoId id) {
        bool(id != null);
        if (id != null) {
            id(id);
        }
    }

    void publisher(Publisher p) {
        id(p.dataInfoId());
        string(p.registerId());
        varLong(p.version());
        strings(p.values());
        string(p.appName());
        string(p.ip());
        string(p.zone());
        varLong(p.registeredAtMillis());
        string(p.sessionId());
        string(p.connectionId());
    }

    void subscriber(Subscriber s) {
        id(s.dataInfoId());
        string(s.registerId());
        string(s.appName());
        string(s.ip());
        string(s.zone());
        varLong(s.registeredAtMillis());
    }
}
