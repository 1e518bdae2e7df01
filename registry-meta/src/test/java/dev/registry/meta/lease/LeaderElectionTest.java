package dev.registry.meta.lease;

import dev.registry.meta.store.InMemoryMetaStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The election loop's rounds driven by hand on one virtual clock (no threads started). */
class LeaderElectionTest {
    private static final LeaseSettings SETTINGS = new LeaseSettings(Duration.ofMillis(1_000), Duration.ofMillis(200));

    private final AtomicLong nowMillis = new AtomicLong(1_000_000);
    private final AtomicBoolean storeDown = new AtomicBoolean();
    private final InMemoryMetaStore db = new InMemoryMetaStore(nowMillis::get);
    private final LeaseStore store = new LeaseStore() {
        @Override
        public LeaseRecord acquireOrRenew(String candidateId, String candidateAddress, Duration lease) {
            if (storeDown.get()) {
                throw new IllegalStateException("connection refused");
            }
            return db.acquireOrRenew(candidateId, candidateAddress, lease);
        }

        @Override
        public void release(String candidateId) {
            db.release(candidateId);
        }

        @Override
        public long raiseTerm(String candidateId, long term, long aboveTerm) {
            return db.raiseTerm(candidateId, term, aboveTerm);
        }
    };
    private final List<String> events = new ArrayList<>();

    private LeaderElection candidate(String name) {
        return new LeaderElection(name + "/1", name + ":9610", store, SETTINGS, () -> nowMillis.get() * 1_000_000L,
                new LeaderElection.Listener() {
                    @Override
                    public void onElected(long term) {
                        events.add(name + " elected " + term);
                    }

                    @Override
                    public void onDeposed(long term, String reason) {
                        events.add(name + " deposed " + term);
                    }
                });
    }

    private void advance(long millis) {
        nowMillis.addAndGet(millis);
    }

    @Test
    void firstAskerLeadsAndTheOtherFollowsKnowingTheLeader() {
        LeaderElection a = candidate("a");
        LeaderElection b = candidate("b");

        a.ask();
        b.ask();

        assertThat(events).containsExactly("a elected 1");
        assertThat(a.isLeaderOf(1)).isTrue();
        assertThat(b.isLeader()).isFalse();
        assertThat(b.lastSeen().holderAddress()).isEqualTo("a:9610");
        assertThat(a.remainingMillis()).isEqualTo(900);
    }

    @Test
    void crashedLeaderIsReplacedWithTheNextTermOnlyAfterItsLeaseEnds() {
        LeaderElection a = candidate("a");
        LeaderElection b = candidate("b");
        a.ask();

        // a stops renewing (crashed); b keeps asking every renew interval
        long takeoverAt = -1;
        for (long t = 200; t <= 2_000; t += 200) {
            advance(200);
            b.ask();
            if (b.isLeader() && takeoverAt < 0) {
                takeoverAt = t;
            }
        }

        assertThat(takeoverAt).isGreaterThan(1_000).isLessThanOrEqualTo(SETTINGS.takeoverBound().toMillis());
        assertThat(b.term()).isEqualTo(2);
        a.check();
        assertThat(events).containsExactly("a elected 1", "b elected 2", "a deposed 1");
    }

    @Test
    void leaderThatCannotReachTheStoreStopsBeforeItsLeaseEnds() {
        LeaderElection a = candidate("a");
        a.ask();
        storeDown.set(true);

        advance(400);
        a.ask();
        assertThat(a.isLeader()).as("within its deadline").isTrue();
        advance(499);
        a.check();
        assertThat(a.isLeader()).isTrue();
        advance(1);
        a.check();

        assertThat(a.isLeader()).isFalse();
        assertThat(events).containsExactly("a elected 1", "a deposed 1");
        assertThat(db.lease().isLiveAt(nowMillis.get())).as("the database still counts it live: no overlap").isTrue();
        assertThat(a.lastError()).contains("connection refused");
    }

    @Test
    void closingTheLeaderReleasesTheLeaseForAnImmediateTakeover() {
        LeaderElection a = candidate("a");
        LeaderElection b = candidate("b");
        a.ask();

        a.close();
        b.ask();

        assertThat(b.isLeaderOf(2)).isTrue();
        assertThat(events).containsExactly("a elected 1", "a deposed 1", "b elected 2");
    }

    @Test
    void refusedWriteDeposesAtOnce() {
        LeaderElection a = candidate("a");
        a.ask();

        a.onLeaseLost("the database refused a write in term 1");

        assertThat(a.isLeader()).isFalse();
        assertThat(events).containsExactly("a elected 1", "a deposed 1");
    }

    @Test
    void raisingTheTermKeepsLeading() {
        LeaderElection a = candidate("a");
        LeaderElection b = candidate("b");
        a.ask();

        long raised = a.raiseTerm(1, 6);

        assertThat(raised).isEqualTo(7);
        assertThat(a.isLeaderOf(7)).isTrue();
        advance(200);
        a.ask();
        assertThat(a.isLeaderOf(7)).isTrue();
        assertThatThrownBy(() -> b.raiseTerm(7, 9)).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void resigningHandsOverAtOnce() {
        LeaderElection a = candidate("a");
        LeaderElection b = candidate("b");
        a.ask();

        a.resign("misconfigured");
        b.ask();

        assertThat(b.isLeaderOf(2)).isTrue();
    }
}
