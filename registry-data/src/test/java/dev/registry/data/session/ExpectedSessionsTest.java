package dev.registry.data.session;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExpectedSessionsTest {
    private final ExpectedSessions expected = new ExpectedSessions(Duration.ofSeconds(5));

    @Test
    void connectedAndMetaListedSessionsAreExpected() {
        assertThat(expected.expected(List.of("s1"), List.of("s2"), 0)).containsExactly("s1", "s2");
    }

    @Test
    void withoutMetasListReadsWaitForIt() {
        assertThat(expected.expected(List.of("s1"), null, 0)).containsExactly(ExpectedSessions.META_LIST_UNKNOWN, "s1");
    }

    /** Regression, chaos seed 3026: a live session dropped by both meta and the link at once was not waited for. */
    @Test
    void aSessionThatJustDisconnectedIsStillExpectedWithinTheGrace() {
        expected.disconnected("s1", 1_000);
        assertThat(expected.expected(List.of(), List.of("s2"), 1_000)).containsExactly("s1", "s2");
        assertThat(expected.expected(List.of(), List.of("s2"), 6_000)).containsExactly("s1", "s2");
        assertThat(expected.expected(List.of(), List.of("s2"), 6_001)).as("gone after the grace").containsExactly("s2");
    }

    @Test
    void aReconnectedSessionCountsOnce() {
        expected.disconnected("s1", 0);
        assertThat(expected.expected(List.of("s1"), List.of("s1"), 100)).containsExactly("s1");
    }
}
