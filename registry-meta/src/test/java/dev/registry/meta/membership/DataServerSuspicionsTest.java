package dev.registry.meta.membership;

import dev.registry.meta.membership.DataServerSuspicions.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reports and probe outcomes in, evict or keep out; time is a plain number of millis. */
class DataServerSuspicionsTest {
    private static final String DEAD = "10.0.0.1:9620";
    private static final String OTHER = "10.0.0.2:9620";
    private final DataServerSuspicions suspicions = new DataServerSuspicions(Duration.ofMillis(1_000));

    @Test
    void aReportConfirmedByAFailedProbeEvicts() {
        assertThat(suspicions.reported(DEAD, "session-a", true, 1_000)).as("probe now").isTrue();
        assertThat(suspicions.probing(DEAD)).isTrue();
        assertThat(suspicions.probed(DEAD, false, 1_005)).isEqualTo(Verdict.EVICT);
        assertThat(suspicions.probing(DEAD)).isFalse();
    }

    @Test
    void aProbeThatReachesTheServerKeepsIt() {
        assertThat(suspicions.reported(DEAD, "session-a", true, 1_000)).isTrue();
        assertThat(suspicions.probed(DEAD, true, 1_010)).isEqualTo(Verdict.KEEP);
    }

    @Test
    void aReporterThatIsCutOffCannotMakeTheLeaderProbeInALoop() {
        suspicions.reported(DEAD, "session-a", true, 1_000);
        suspicions.probed(DEAD, true, 1_010);
        assertThat(suspicions.reported(DEAD, "session-a", true, 1_500)).as("within the gap after a reached probe").isFalse();
        assertThat(suspicions.reported(DEAD, "data-b", true, 2_009)).isFalse();
        assertThat(suspicions.reported(DEAD, "session-a", true, 2_010)).as("gap over: probe again").isTrue();
        assertThat(suspicions.probed(DEAD, false, 2_020)).as("it died since").isEqualTo(Verdict.EVICT);
    }

    @Test
    void reportsWhileAProbeRunsStartNoOther() {
        assertThat(suspicions.reported(DEAD, "session-a", true, 1_000)).isTrue();
        assertThat(suspicions.reported(DEAD, "session-b", true, 1_001)).isFalse();
        assertThat(suspicions.reported(DEAD, "data-c", true, 1_002)).isFalse();
        assertThat(suspicions.probed(DEAD, false, 1_003)).isEqualTo(Verdict.EVICT);
    }

    @Test
    void aHeartbeatThatArrivesWhileTheProbeRunsKeepsTheServer() {
        // The leader's probe path failed (e.g. a partition between the leader and the server's
        // port), but the server's own heartbeats still reach the leader: it is alive.
        suspicions.reported(DEAD, "session-a", true, 1_000);
        suspicions.heard(DEAD, 1_400);
        assertThat(suspicions.probed(DEAD, false, 1_500)).isEqualTo(Verdict.KEEP);
    }

    @Test
    void aHeartbeatFromBeforeTheProbeDoesNotSaveADeadServer() {
        suspicions.reported(OTHER, "session-a", true, 0);
        suspicions.probed(OTHER, true, 1);
        suspicions.heard(DEAD, 900); // no suspicion yet: nothing recorded
        suspicions.reported(DEAD, "session-a", true, 1_000);
        suspicions.heard(DEAD, 999); // a late, older heartbeat
        assertThat(suspicions.probed(DEAD, false, 1_100)).isEqualTo(Verdict.EVICT);
    }

    @Test
    void aHeartbeatInTheSameMillisecondAsTheProbeStartKeepsTheServer() {
        suspicions.reported(DEAD, "session-a", true, 1_000);
        suspicions.heard(DEAD, 1_000);
        assertThat(suspicions.probed(DEAD, false, 1_001)).as("cannot tell which came first: keep").isEqualTo(Verdict.KEEP);
    }

    @Test
    void reportsAboutNonMembersOrFromTheServerItselfAreIgnored() {
        assertThat(suspicions.reported(DEAD, "session-a", false, 1_000)).as("not a member (left, never joined)").isFalse();
        assertThat(suspicions.reported(DEAD, DEAD, true, 1_000)).as("about itself").isFalse();
        assertThat(suspicions.probing(DEAD)).isFalse();
        assertThat(suspicions.probed(DEAD, false, 1_010)).as("no probe was asked for").isEqualTo(Verdict.KEEP);
    }

    @Test
    void aServerForgottenWhileProbedIsKept() {
        suspicions.reported(DEAD, "session-a", true, 1_000);
        suspicions.forget(DEAD); // its lease expired, or it announced leaving, meanwhile
        assertThat(suspicions.probed(DEAD, false, 1_100)).isEqualTo(Verdict.KEEP);
    }

    @Test
    void aNewLeadershipStartsWithoutSuspicions() {
        suspicions.reported(DEAD, "session-a", true, 1_000);
        suspicions.clear();
        assertThat(suspicions.probed(DEAD, false, 1_100)).as("a probe of the former leadership").isEqualTo(Verdict.KEEP);
        assertThat(suspicions.reported(DEAD, "session-a", true, 1_200)).isTrue();
    }

    @Test
    void afterAnEvictionAReturningServerIsJudgedAfresh() {
        suspicions.reported(DEAD, "session-a", true, 1_000);
        assertThat(suspicions.probed(DEAD, false, 1_001)).isEqualTo(Verdict.EVICT);
        // It restarted and joined again; its next crash is reported and probed at once.
        assertThat(suspicions.reported(DEAD, "session-a", true, 1_200)).isTrue();
        assertThat(suspicions.probed(DEAD, false, 1_201)).isEqualTo(Verdict.EVICT);
    }

    @Test
    void serversAreJudgedIndependently() {
        assertThat(suspicions.reported(DEAD, "session-a", true, 1_000)).isTrue();
        assertThat(suspicions.reported(OTHER, "session-a", true, 1_000)).isTrue();
        assertThat(suspicions.probed(OTHER, true, 1_010)).isEqualTo(Verdict.KEEP);
        assertThat(suspicions.probed(DEAD, false, 1_020)).isEqualTo(Verdict.EVICT);
    }

    @Test
    void aNegativeGapIsRefused() {
        assertThatThrownBy(() -> new DataServerSuspicions(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
