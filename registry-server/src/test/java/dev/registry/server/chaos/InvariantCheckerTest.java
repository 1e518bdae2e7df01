package dev.registry.server.chaos;

import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
        checker.clientDied(Map.of("churn:9", ID));
        s.record(push(1, ANCHOR, "churn:9"));
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("invariant 2");
    }

    @Test
    void anAcknowledgedChurnValueMissingFromALaterPushIsAViolationUnlessItsLinksWereCut() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(8));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        checker.acknowledged("churn:1", ID);
        s.record(push(1, ANCHOR, "churn:1"));
        long[] cut = checker.excuseChurn("test");
        s.record(push(2, ANCHOR));
        checker.checkContinuously();
        assertThat(checker.violations()).isEmpty();

        cut[1] = System.nanoTime() - 1;
        s.record(push(3, ANCHOR));
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("live acknowledged publisher churn:1")
                .contains("v3");
    }

    @Test
    void aLiveValueMissingFromAPushLaterThanThePushBoundIsAViolationEvenIfNeverSeen() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(8), Duration.ofMillis(30));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        checker.acknowledged("churn:1", ID);
        s.record(push(1, ANCHOR)); // generated before the write: no loss yet
        checker.checkContinuously();
        assertThat(checker.violations()).isEmpty();
        await().pollDelay(Duration.ofMillis(60)).until(() -> true);
        s.record(push(2, ANCHOR)); // e.g. a new leader serving reads before the sessions re-synced it
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("lacks live acknowledged publisher churn:1")
                .contains("v2");
    }

    @Test
    void aRetiredValueIsNotMissedAndMustGoWithinTheBound() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ZERO);
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        checker.acknowledged("churn:1", ID);
        s.record(push(1, ANCHOR, "churn:1"));
        checker.retired("churn:1", ID); // overwritten: its absence is no loss ...
        checker.acknowledged("churn:2", ID);
        s.record(push(2, ANCHOR, "churn:2"));
        checker.checkContinuously();
        assertThat(checker.violations()).isEmpty();
        assertThat(checker.operationsDone()).isEqualTo(3);

        s.record(push(3, ANCHOR, "churn:1", "churn:2")); // ... and its return after the bound is a violation
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("invariant 2").contains("churn:1");
    }

    @Test
    void aValueSeenGoneEverywhereKeepsItsClockThroughAPauseSoItsReturnIsCaught() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofMillis(50));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        checker.acknowledged("churn:1", ID);
        checker.acknowledged("churn:2", ID);
        s.record(push(1, ANCHOR, "churn:1", "churn:2"));
        checker.retired("churn:1", ID);
        checker.retired("churn:2", ID);
        s.record(push(2, ANCHOR, "churn:2")); // churn:1 seen gone, churn:2 not yet
        await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        checker.restartDeadClocks(); // a pause ended: only churn:2 may still be excused
        s.record(push(3, ANCHOR, "churn:1", "churn:2"));
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("churn:1").contains("after it was withdrawn");
    }

    @Test
    void aRemovalAcknowledgedByADoomedLaggingLeaderGetsTheDeadBoundOthersThePushBound() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(30), Duration.ofMillis(50));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        checker.acknowledged("churn:1", ID);
        checker.acknowledged("churn:2", ID);
        s.record(push(1, ANCHOR, "churn:1", "churn:2"));
        long[] lossy = checker.removalsMayBeLost("test");
        checker.retired("churn:1", ID); // its leader may die before a follower has the removal
        checker.endLossyRemovals(lossy);
        checker.retired("churn:2", ID); // acknowledged by the new leader
        await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        s.record(push(2, ANCHOR, "churn:1", "churn:2"));
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("churn:2").contains("after it was withdrawn");
    }

    @Test
    void removalsAroundALeavingSessionGetTheDeadBoundOthersThePushBound() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(30), Duration.ofMillis(200));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        for (String v : List.of("churn:1", "churn:2", "churn:3", "churn:4")) {
            checker.acknowledged(v, ID);
        }
        s.record(push(1, ANCHOR, "churn:1", "churn:2", "churn:3", "churn:4"));
        checker.retired("churn:1", ID); // long before the session leaves
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        checker.retired("churn:2", ID); // just before it leaves
        long[] leaving = checker.sessionLeaving("test");
        checker.retired("churn:3", ID); // while it leaves
        checker.endLossyRemovals(leaving);
        checker.retired("churn:4", ID); // after it left
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        s.record(push(2, ANCHOR, "churn:1", "churn:2", "churn:3", "churn:4"));
        checker.checkContinuously();
        assertThat(checker.violations()).hasSize(2).anyMatch(v -> v.contains("churn:1")).anyMatch(v -> v.contains("churn:4"));
    }

    @Test
    void aRunThatDidTooLittleOrSkippedAKindFailsItsFloors() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(8));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        checker.acknowledged("churn:1", ID);
        s.record(push(1, ANCHOR, "churn:1"));
        checker.count("kill data server");
        checker.skipped("crash meta leader");
        checker.checkFloors(1, 1, List.of("kill data server"));
        assertThat(checker.violations()).isEmpty();

        checker.checkFloors(2, 2, List.of("kill data server", "crash meta leader"));
        assertThat(checker.violations()).hasSize(3).anyMatch(v -> v.contains("acknowledged workload operations"))
                .anyMatch(v -> v.contains("pushes checked")).anyMatch(v -> v.contains("crash meta leader")
                        && v.contains("skipped 1 times"));
    }

    @Test
    void convergenceIsRecordedOncePerValueAndSubscriber() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(8));
        InvariantChecker.Subscriber a = checker.newSubscriber(ID);
        InvariantChecker.Subscriber b = checker.newSubscriber(ID);
        checker.acknowledged("churn:1", ID);
        a.record(push(1, ANCHOR, "churn:1"));
        a.record(push(2, ANCHOR, "churn:1"));
        b.record(push(1, ANCHOR, "churn:1"));
        checker.checkContinuously();
        checker.checkContinuously();
        assertThat(checker.convergenceMillis()).hasSize(2);
        assertThat(checker.convergenceSummary()).startsWith("2 values: p50 ");
    }

    @Test
    void aClientClosedWithWholeLinksGetsThePushBoundOneClosedBehindACutLinkTheDeadBound() {
        InvariantChecker checker = new InvariantChecker(7, Duration.ofSeconds(30), Duration.ofMillis(20));
        InvariantChecker.Subscriber s = checker.newSubscriber(ID);
        checker.clientDied(Map.of("churn:1", ID)); // heard at once: a withdrawal like any other
        long[] cut = checker.excuseChurn("test");
        checker.clientDied(Map.of("churn:2", ID)); // its close is held by the cut link
        checker.endChurnExcuse(cut);
        await().pollDelay(Duration.ofMillis(50)).until(() -> true);
        s.record(push(1, ANCHOR, "churn:1", "churn:2"));
        checker.checkContinuously();
        assertThat(checker.violations()).singleElement().asString().contains("churn:1");
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
