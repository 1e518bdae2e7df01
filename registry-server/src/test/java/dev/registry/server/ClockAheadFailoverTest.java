package dev.registry.server;

import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.data.DataServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Found by the simulator's clock faults (issue 21): datum versions are stamped from the slot
 * leader's clock, so a leader whose clock ran ahead has versions pushed that its successor's
 * clock will not reach for a while, and sessions and clients drop lists with lower versions as
 * older. Here the one data server's clock is ten minutes ahead; it is replaced by one with a true
 * clock (both copies gone, so the sessions rebuild the slot). Without the fix, the new leader's
 * lists are dropped for ten minutes; now the sessions tell it what they pushed when they take
 * the slot over, and it raises its versions above that.
 */
class ClockAheadFailoverTest {
    private static final DataInfoId ID = DataInfoId.of("svc.clock-ahead");

    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aLeaderWithATrueClockAfterOneThatRanAheadStillGetsItsListsPushed() {
        cluster = new TestCluster(1, 1);
        DataServer ahead = cluster.addDataServer(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
        cluster.stopDataServer(cluster.data.get(0)); // the clock that runs ahead holds every slot now
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.leaderMeta().slotTable().servers()
                .equals(java.util.Set.of(ahead.address())));

        RegistryClient client = cluster.client(cluster.sessions.get(0));
        RecordingObserver watcher = new RecordingObserver();
        client.subscribe(ID, watcher);
        client.publish(ID, List.of("10.0.0.1:1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.0.0.1:1").equals(watcher.lastValues()));
        long pushedAhead = watcher.last().version();

        DataServer trueClock = cluster.addDataServer();
        cluster.stopDataServer(ahead);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.leaderMeta().slotTable().servers()
                .equals(java.util.Set.of(trueClock.address())));

        client.publish(ID, List.of("10.0.0.2:2"));
        await().atMost(Duration.ofSeconds(20)).until(() -> watcher.lastValues() != null
                && watcher.lastValues().containsAll(List.of("10.0.0.1:1", "10.0.0.2:2")));
        assertThat(watcher.last().version()).isGreaterThan(pushedAhead);
        assertThat(watcher.versionsIncrease()).isTrue();
    }
}
