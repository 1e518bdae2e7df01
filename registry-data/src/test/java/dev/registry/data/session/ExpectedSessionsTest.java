package dev.registry.data.session;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExpectedSessionsTest {
    private final ExpectedSessions expected = new ExpectedSessions(Duration.ofSeconds(5));

    @Test
    void connectedAndMetaListedSessionsAreExpected() {
        assertThat(expected.expected(List.of("s1"), List.of("s2"), true, 0)).containsExactly("s1", "s2");
    }

    @Test
    void withoutMetasListReadsWaitForIt() {
        assertThat(expected.expected(List.of("s1"), null, true, 0)).containsExactly(ExpectedSessions.META_LIST_UNKNOWN, "s1");
    }

    /** Regression, chaos seed 3026: a live session dropped by both meta and the link at once was not waited for. */
    @Test
    void aSessionThatJustDisconnectedIsStillExpectedWithinTheGrace() {
        expected.disconnected("s1", 1_000);
        assertThat(expected.expected(List.of(), List.of("s2"), true, 1_000)).containsExactly("s1", "s2");
        assertThat(expected.expected(List.of(), List.of("s2"), true, 6_000)).containsExactly("s1", "s2");
        assertThat(expected.expected(List.of(), List.of("s2"), true, 6_001)).as("gone after the grace").containsExactly("s2");
    }

    @Test
    void aReconnectedSessionCountsOnce() {
        expected.disconnected("s1", 0);
        assertThat(expected.expected(List.of("s1"), List.of("s1"), true, 100)).containsExactly("s1");
    }

    /**
     * Regression, chaos seed 5028: a meta leader that had just taken over listed one of two live
     * sessions; a new, empty data server led slots of a session it had never seen and served reads
     * without that session's publishers. Meta now says its list is incomplete, and reads wait.
     */
    @Test
    void anIncompleteListFromANewMetaLeaderKeepsReadsWaiting() {
        assertThat(expected.expected(List.of("s1"), List.of("s1"), false, 0))
                .containsExactly(ExpectedSessions.META_LIST_UNKNOWN, "s1");
        assertThat(expected.expected(List.of("s1"), List.of("s1", "s2"), true, 0)).containsExactly("s1", "s2");
    }
}
