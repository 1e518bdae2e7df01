package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DecodeCacheTest {
    private static String decode(String s) {
        byte[] framed = ("xx" + s + "yy").getBytes(StandardCharsets.UTF_8);
        return DecodeCache.internedString(framed, 2, framed.length - 4);
    }

    @Test
    void returnsTheSharedInstanceOfEqualBytesAndTheRightStringOnCollisions() {
        String a = decode("demo.orders");
        assertThat(a).isEqualTo("demo.orders");
        assertThat(decode("demo.orders")).isSameAs(a).isSameAs(WireInterner.string("demo.orders"));
        // Many distinct strings share slots: each lookup still answers its own bytes.
        for (int i = 0; i < 20_000; i++) {
            assertThat(decode("svc-" + i)).isEqualTo("svc-" + i);
        }
        assertThat(decode("demo.orders")).isSameAs(a); // interned: the same instance even after eviction
        assertThat(decode("")).isEmpty();
    }

    @Test
    void nonAsciiIsDecodedAsUtf8() {
        assertThat(decode("zone-€-ü")).isEqualTo("zone-€-ü");
        assertThat(decode("zone-€-ü")).isSameAs(decode("zone-€-ü"));
    }

    @Test
    void idsAreSharedAndMatchTheirParts() {
        DataInfoId a = DecodeCache.id(decode("svc"), decode("RPC"), decode("t1"));
        assertThat(a).isEqualTo(DataInfoId.of("svc", "RPC", "t1"));
        assertThat(DecodeCache.id(decode("svc"), decode("RPC"), decode("t1"))).isSameAs(a);
        for (int i = 0; i < 5_000; i++) {
            DataInfoId id = DecodeCache.id(decode("svc-" + i), decode("RPC"), decode("t1"));
            assertThat(id.dataId()).isEqualTo("svc-" + i);
        }
        assertThat(DecodeCache.id(decode("svc"), decode("RPC"), decode("t1"))).isSameAs(a);
    }
}
