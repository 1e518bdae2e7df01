package dev.registry.common.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The fuzz tests' leak check must be able to fail: a buffer dropped without release is reported. */
class NettyLeakWatchTest {

    @Test
    void aBufferDroppedWithoutReleaseIsReportedAndAReleasedOneIsNot() {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        try (NettyLeakWatch watch = NettyLeakWatch.start()) {
            PooledByteBufAllocator.DEFAULT.directBuffer(64).writeLong(1).release();
            assertThat(watch.leaks()).isEmpty();

            leakOne();
            // Collection and reference processing are the JVM's to schedule: look until it reports.
            await().atMost(Duration.ofSeconds(20)).until(() -> !watch.leaks().isEmpty());
            assertThat(watch.leaks().get(0)).contains("LEAK").contains("release()");
        }
        assertThat(ResourceLeakDetector.getLevel()).as("level restored").isEqualTo(before);
    }

    private static void leakOne() {
        ByteBuf forgotten = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        forgotten.writeLong(42); // and never released: unreachable once this returns
    }
}
