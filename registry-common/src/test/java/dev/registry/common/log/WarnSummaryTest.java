package dev.registry.common.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WarnSummaryTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private Logger logger;
    private ListAppender<ILoggingEvent> appender;

    @BeforeEach
    void attach() {
        logger = (Logger) LoggerFactory.getLogger("WarnSummaryTest");
        logger.setLevel(Level.DEBUG);
        appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    private List<String> warnings() {
        return appender.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aThousandFailuresInOneWindowAreTwoLinesNotAThousand() {
        WarnSummary summary = new WarnSummary(logger, "cannot fetch", 5_000, now::get);
        for (int i = 0; i < 1_000; i++) {
            summary.warn("id-" + i, "TIMEOUT");
            now.addAndGet(2);
        }
        assertThat(warnings()).containsExactly("cannot fetch id-0: TIMEOUT (more within 5000 ms are counted into one line)");
        assertThat(summary.pending()).isEqualTo(999);
        assertThat(appender.list.stream().filter(e -> e.getLevel() == Level.DEBUG)).hasSize(999);

        summary.flush(); // the window is still open: nothing yet
        assertThat(warnings()).hasSize(1);
        now.addAndGet(5_000);
        summary.flush();
        assertThat(warnings()).hasSize(2).last().isEqualTo("cannot fetch: 999 more within 5000 ms, the last id-999: TIMEOUT");
        assertThat(summary.pending()).isZero();
        summary.flush();
        assertThat(warnings()).hasSize(2);
    }

    @Test
    void theNextWindowStartsWithItsOwnLineAndReportsWhatThePreviousGathered() {
        WarnSummary summary = new WarnSummary(logger, "not synced", 1_000, now::get);
        summary.warn("a", "r1");
        summary.warn("b", "r2");
        summary.warn("c", "r3");
        now.addAndGet(1_000);
        summary.warn("d", "r4");
        assertThat(warnings()).containsExactly(
                "not synced a: r1 (more within 1000 ms are counted into one line)",
                "not synced: 2 more within 1000 ms, the last c: r3",
                "not synced d: r4 (more within 1000 ms are counted into one line)");
        now.addAndGet(1_000);
        summary.warn("e", "r5"); // nothing gathered in d's window: no count line
        assertThat(warnings()).hasSize(4).last().isEqualTo("not synced e: r5 (more within 1000 ms are counted into one line)");
    }

    @Test
    void aWindowMustBePositive() {
        assertThatThrownBy(() -> new WarnSummary(logger, "x", 0, now::get)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRoutineEventThatStrikesEverySlotIsTwoInfoLinesAndNoWarning() {
        WarnSummary summary = WarnSummary.atInfo(logger, "snapshot applied for", 5_000, now::get);
        for (int slot = 0; slot < 256; slot++) {
            summary.warn("slot " + slot, "from a");
        }
        now.addAndGet(5_000);
        summary.flush();
        assertThat(warnings()).isEmpty();
        assertThat(appender.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage))
                .containsExactly("snapshot applied for slot 0: from a (more within 5000 ms are counted into one line)",
                        "snapshot applied for: 255 more within 5000 ms, the last slot 255: from a");
    }
}
