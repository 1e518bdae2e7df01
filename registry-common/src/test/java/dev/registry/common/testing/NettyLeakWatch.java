package dev.registry.common.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes Netty track every buffer while a fuzz run lasts and collects the leak reports of its
 * {@link ResourceLeakDetector}: a buffer that became garbage without {@code release()} (a
 * decoder's error path that forgets one, say) shows up here instead of as a line in a log
 * nobody reads. The detector reports through its logger when a later allocation finds a
 * collected, unreleased buffer, so {@link #leaks()} collects garbage and allocates before it
 * looks. Netty keeps one detector per resource type for the whole JVM, created when its class
 * loads; the level, in contrast, is read on every allocation, and the reports go to a logger:
 * that is why this works whatever ran earlier in the same test JVM.
 */
public final class NettyLeakWatch implements AutoCloseable {
    private static final String DETECTOR_LOGGER = ResourceLeakDetector.class.getName();

    private final ResourceLeakDetector.Level levelBefore = ResourceLeakDetector.getLevel();
    private final Logger logger = (Logger) LoggerFactory.getLogger(DETECTOR_LOGGER);
    private final Level loggerLevelBefore = logger.getLevel();
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                reports.add(event.getFormattedMessage());
            }
        }
    };

    private NettyLeakWatch() {
        appender.setName("netty-leak-watch");
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.ERROR); // the detector reports only when its logger has ERROR enabled
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    /**
     * Starts tracking every buffer. Leaks of buffers from before the watch that are found now
     * are drained first, so what {@link #leaks()} returns happened while it watched (or was
     * sampled earlier and collected only now; the report's access records tell where).
     */
    public static NettyLeakWatch start() {
        NettyLeakWatch watch = new NettyLeakWatch();
        watch.collect();
        watch.reports.clear();
        return watch;
    }

    /** Garbage-collects and lets the detector look; returns every leak reported so far. */
    public List<String> leaks() {
        collect();
        return List.copyOf(reports);
    }

    private static void collect() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            LockSupport.parkNanos(50_000_000); // reference processing runs after the collection
            // Each tracked allocation first polls the detector's queue of collected buffers.
            for (ByteBuf b : List.of(PooledByteBufAllocator.DEFAULT.directBuffer(16),
                    PooledByteBufAllocator.DEFAULT.heapBuffer(16), UnpooledByteBufAllocator.DEFAULT.buffer(16))) {
                b.release();
            }
        }
    }

    @Override
    public void close() {
        ResourceLeakDetector.setLevel(levelBefore);
        logger.detachAppender(appender);
        logger.setLevel(loggerLevelBefore);
        appender.stop();
    }
}
