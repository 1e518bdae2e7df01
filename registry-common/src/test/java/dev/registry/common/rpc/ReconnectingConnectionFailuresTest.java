package dev.registry.common.rpc;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.common.net.HostAndPort;
import dev.registry.common.rpc.TestMessages.Note;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static dev.registry.common.rpc.RpcTestKit.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 21: a bug while (re)connecting is logged at WARN with its stack trace, counted, and never
 * leaves the connection stuck; a routine reconnect logs no WARN.
 */
class ReconnectingConnectionFailuresTest {
    private final RpcTestKit kit = new RpcTestKit();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ReconnectingConnection.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level levelBefore;

    @BeforeEach
    void capture() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(appender);
        logger.setLevel(levelBefore);
        kit.close();
    }

    private ReconnectingConnection reconnecting(int port, Function<RpcConnection, CompletableFuture<?>> onConnected) {
        Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), new Random(11));
        return kit.closeLater(new ReconnectingConnection(kit.client(),
                List.of(HostAndPort.fromParts(RpcTestKit.HOST, port)), backoff, 0, onConnected));
    }

    private List<ILoggingEvent> at(Level level) {
        return appender.list.stream().filter(e -> e.getLevel() == level).toList();
    }

    /**
     * Regression: onConnected returning no future threw inside a completion callback, where the
     * exception vanished: the connection stayed open, never ready, and never tried again.
     */
    @Test
    void onConnectedReturningNoFutureIsLoggedCountedAndRetried() {
        RpcServer server = kit.startServer();
        AtomicInteger runs = new AtomicInteger();
        ReconnectingConnection connection = reconnecting(server.port(),
                c -> runs.incrementAndGet() == 1 ? null : c.send(new Note("registered")));

        connection.start();

        await().atMost(Duration.ofSeconds(10)).until(connection::isReady);
        assertThat(runs).hasValue(2);
        assertThat(connection.unexpectedFailures()).isEqualTo(1);
        assertThat(at(Level.WARN)).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains("unexpected failure");
            assertThat(e.getThrowableProxy()).as("the stack trace is logged").isNotNull();
        });
    }

    @Test
    void onConnectedThrowingIsLoggedWithItsStackTraceCountedAndRetried() {
        RpcServer server = kit.startServer();
        AtomicInteger runs = new AtomicInteger();
        ReconnectingConnection connection = reconnecting(server.port(), c -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug in onConnected");
            }
            return c.send(new Note("registered"));
        });

        result(connection.start());

        assertThat(runs).hasValue(2);
        assertThat(connection.unexpectedFailures()).isEqualTo(1);
        assertThat(at(Level.WARN)).singleElement().satisfies(e -> {
            assertThat(e.getThrowableProxy()).isNotNull();
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("a bug in onConnected");
        });
    }

    /** A server restart: no WARN, and the failed attempts meanwhile are one INFO line, not one each or none. */
    @Test
    void aRoutineReconnectLogsNoWarningAndTheOutageOnce() throws Exception {
        RpcServer first = kit.startServer();
        int port = first.port();
        ReconnectingConnection connection = reconnecting(port, c -> c.send(new Note("registered")));
        result(connection.start());

        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isReady());
        await().atMost(Duration.ofSeconds(5)).until(() -> appender.list.stream()
                .filter(e -> e.getLevel() == Level.DEBUG && e.getFormattedMessage().startsWith("connect to")).count() >= 2);
        kit.startServer(RpcTestKit.serverConfig(), port);
        await().atMost(Duration.ofSeconds(10)).until(connection::isReady);

        assertThat(at(Level.WARN)).isEmpty();
        assertThat(at(Level.INFO).stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("cannot connect to"))).hasSize(1);
        assertThat(connection.unexpectedFailures()).isZero();
    }
}
