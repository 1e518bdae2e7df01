package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Subscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 21: an unexpected exception on the push path (here: a push target that throws) is
 * counted and retried; it never leaves the id's round in flight, which would merge every later
 * change into a round that never ends. Against a fake slot leader on a real socket.
 */
class PushEngineFailuresTest {
    private static final int MAX_RETRIES = 3;

    private final DataInfoId id = DataInfoId.of("com.example.EchoService", "RPC", "tenant-a");
    private FakeSlotLeader leader;
    /** The version the leader holds, its values one address "10.0.0.1:<version>". */
    private AtomicLong leaderVersion;
    private SubscriberRegistry<PushTarget> subscribers;
    private PushEngine engine;

    @BeforeEach
    void start() {
        leader = new FakeSlotLeader(v -> {
            LinkedHashMap<String, ArrayList<String>> byZone = new LinkedHashMap<>();
            byZone.put("zone-a", new ArrayList<>(List.of("10.0.0.1:" + v)));
            return byZone;
        }, MAX_RETRIES);
        leaderVersion = leader.version;
        subscribers = leader.subscribers;
        engine = leader.engine;
    }

    @AfterEach
    void stop() {
        leader.close();
    }

    private void subscribe(String registerId, PushTarget target) {
        subscribers.add(new Subscriber(id, registerId, "app", "10.0.0.2", "zone-a", 1L), target);
    }

    /**
     * Regression: the exception escaped into the fetch's completion callback, which swallowed it
     * before the round ended; the id counted as in flight for good and was never pushed again.
     */
    @Test
    void anIdWhosePushThrewIsPushedByTheRetryAndOnItsNextChange() {
        FakeTarget target = new FakeTarget("c1", 1);
        subscribe("s1", target);

        engine.onNotice(id, 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> target.pushed.contains(1L));
        assertThat(target.calls).hasValue(2);
        assertThat(engine.unexpectedFailures()).isEqualTo(1);

        leaderVersion.set(2);
        engine.onNotice(id, 2);

        await().atMost(Duration.ofSeconds(10)).until(() -> target.pushed.contains(2L));
        StringBuilder metrics = new StringBuilder();
        engine.appendPrometheus(metrics);
        assertThat(metrics.toString()).contains("registry_session_push_unexpected_failures_total 1\n");
    }

    /** A connection whose push always throws does not hold up the others, and is given up like a failed push. */
    @Test
    void aConnectionThatAlwaysThrowsHoldsUpNoOneAndIsGivenUpAfterMaxRetries() {
        FakeTarget broken = new FakeTarget("broken", Integer.MAX_VALUE);
        FakeTarget healthy = new FakeTarget("healthy", 0);
        subscribe("s-broken", broken);
        subscribe("s-healthy", healthy);

        engine.onNotice(id, 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> healthy.pushed.contains(1L));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("outcome=\"given_up\"} 1\n"));
        assertThat(broken.calls).hasValue(MAX_RETRIES + 1);
        assertThat(engine.unexpectedFailures()).isEqualTo(MAX_RETRIES + 1);
        assertThat(healthy.calls).as("pushed once, not again with every retry of the broken one").hasValue(1);

        broken.failures.set(0); // fixed: the next change reaches it (the id is not stuck in flight)
        leaderVersion.set(2);
        engine.onNotice(id, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> broken.pushed.contains(2L) && healthy.pushed.contains(2L));
    }

    private String metrics() {
        StringBuilder out = new StringBuilder();
        engine.appendPrometheus(out);
        return out.toString();
    }

    /** A connection whose first {@code failures} pushes throw (a bug in the push path), then acks at once. */
    private static final class FakeTarget extends StubPushTarget {
        final AtomicInteger failures;
        final AtomicInteger calls = new AtomicInteger();
        final List<Long> pushed = new CopyOnWriteArrayList<>();

        FakeTarget(String id, int failures) {
            super(id);
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public CompletableFuture<?> push(DataInfoId dataInfoId, long version, List<String> subscriberIds,
                                         LinkedHashMap<String, ArrayList<String>> valuesByZone, Duration timeout) {
            calls.incrementAndGet();
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("a bug in the push path of " + id());
            }
            pushed.add(version);
            return CompletableFuture.completedFuture(null);
        }

    }
}
