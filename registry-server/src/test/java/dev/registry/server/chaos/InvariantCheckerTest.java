package dev.registry.server.chaos;

import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker itself must catch what it claims to: a chaos run that cannot fail proves nothing. */
class InvariantCheckerTest {
    private static final DataInfoId ID = DataInfoId.of("checker.test");
    private static final String ANCHOR = InvariantChecker.anchorValue(ID);

    private static SubscriptionData push(long version, String... values) {
        return new SubscriptionData(ID, version, List.of(values), Map.of());
    }

    @Test
    void aPushLosingTheAnchorIsAViolationUnlessItsClientIsPartitioned() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(8));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        s.record(push(1, ANCHOR, "churn:1"));
        long[] excuse = checker.excuseAnchors("test");
        s.record(push(2, "churn:1"));
        checker.checkContinuously();
        assertThat(checker.violations()).isEmpty();

        excuse[1] = System.nanoTime() - 1; // the partition and its grace are over
        s.record(push(3, "churn:1"));
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("invariants 1/5").contains("v3");
        assertThat(checker.history()).startsWith("seed 7").contains("VIOLATION");
    }

    @Test
    void aDeadClientsValueAfterTheBoundIsAViolation() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ZERO);
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        checker.clientDied(List.of("churn:9"));
        s.record(push(1, ANCHOR, "churn:9"));
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("invariant 2");
    }

    @Test
    void aSubscriberThatDoesNotConvergeIsAViolation() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(8));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        s.record(push(1, ANCHOR));
        checker.checkConverged(id -> Set.of(ANCHOR), Duration.ofMillis(200));
        assertThat(checker.violations()).isEmpty();
        checker.checkConverged(id -> Set.of(ANCHOR, "churn:2"), Duration.ofMillis(200));
        assertThat(checker.violations()).singleElement().asString().contains("invariant 3");
    }
}
