package dev.registry.session.damping;

import dev.registry.session.damping.FlapDamper.Decision;
import dev.registry.session.damping.FlapDamper.Settings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.registry.session.damping.FlapDamper.Decision.HOLD;
import static dev.registry.session.damping.FlapDamper.Decision.REMOVE_NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlapDamperTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FlapDamper damper = new FlapDamper(Settings.defaults(), now::get);

    /** Losses at these seconds (from 0) decide like this, with the defaults (half-life 30 s, suppress 1500). */
    static Stream<Arguments> lossSchedules() {
        return Stream.of(
                Arguments.of("one loss of a stable client", new double[] {0}, List.of(REMOVE_NOW)),
                Arguments.of("two losses 2.5 s apart", new double[] {0, 2.5}, List.of(REMOVE_NOW, HOLD)),
                Arguments.of("two losses 29 s apart", new double[] {0, 29}, List.of(REMOVE_NOW, HOLD)),
                Arguments.of("two losses 31 s apart", new double[] {0, 31}, List.of(REMOVE_NOW, REMOVE_NOW)),
                Arguments.of("a loss an hour apart each", new double[] {0, 3600, 7200},
                        List.of(REMOVE_NOW, REMOVE_NOW, REMOVE_NOW)),
                Arguments.of("a flapping link, every 2.5 s", new double[] {0, 2.5, 5, 7.5, 10, 12.5},
                        List.of(REMOVE_NOW, HOLD, HOLD, HOLD, HOLD, HOLD)),
                // Damped at 2.5 s; from the ceiling after 40 s of flapping it takes long to reach reuse (750).
                Arguments.of("still damped 60 s after the flapping stopped",
                        new double[] {0, 2.5, 5, 7.5, 10, 12.5, 15, 17.5, 20, 22.5, 25, 27.5, 30, 32.5, 35, 37.5, 40, 100},
                        List.of(REMOVE_NOW, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD, HOLD,
                                HOLD, HOLD, HOLD, HOLD)),
                Arguments.of("undamped 4 minutes after the flapping stopped",
                        new double[] {0, 2.5, 5, 7.5, 10, 250}, List.of(REMOVE_NOW, HOLD, HOLD, HOLD, HOLD, REMOVE_NOW)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lossSchedules")
    void decidesByPenalty(String name, double[] lossSeconds, List<Decision> expected) {
        long start = now.get();
        List<Decision> decisions = new ArrayList<>();
        for (double s : lossSeconds) {
            now.set(start + (long) (s * 1000));
            decisions.add(damper.onLinkLost("c1"));
        }
        assertThat(decisions).isEqualTo(expected);
    }

    @Test
    void penaltyHalvesEveryHalfLifeAndStopsAtTheCeiling() {
        damper.onLinkLost("c");
        assertThat(damper.penalty("c")).isEqualTo(1000);
        now.addAndGet(30_000);
        assertThat(damper.penalty("c")).isEqualTo(500);
        for (int i = 0; i < 20; i++) {
            damper.onLinkLost("c");
        }
        assertThat(damper.penalty("c")).isEqualTo(8000);
    }

    @Test
    void hysteresisKeepsAClientDampedUntilItsPenaltyFallsBelowReuse() {
        damper.onLinkLost("c");
        damper.onLinkLost("c"); // 2000: damped
        assertThat(damper.isDamped("c")).isTrue();
        now.addAndGet(15_000); // 1414: below suppress, above reuse
        assertThat(damper.isDamped("c")).isTrue();
        now.addAndGet(15_000 + 15_000); // 707: below reuse
        assertThat(damper.isDamped("c")).isFalse();
        assertThat(damper.penalty("c")).isBetween(700L, 710L);
    }

    @Test
    void clientsAreDampedIndependently() {
        damper.onLinkLost("flappy");
        assertThat(damper.onLinkLost("flappy")).isEqualTo(HOLD);
        assertThat(damper.onLinkLost("stable")).isEqualTo(REMOVE_NOW);
        assertThat(damper.damped()).extracting(FlapDamper.ClientPenalty::client).containsExactly("flappy");
    }

    @Test
    void aReportedHistoryFromAnotherSessionCountsOnce() {
        // Lost twice while on another session (10 s and 5 s ago): already damped when it arrives here.
        damper.onReport("moved", new long[] {5_000, 10_000});
        assertThat(damper.isDamped("moved")).isTrue();
        assertThat(damper.onLinkLost("moved")).isEqualTo(HOLD);
        FlapDamper.ClientPenalty p = damper.damped().get(0);
        assertThat(p.losses()).isEqualTo(3);
        assertThat(p.dampedSinceMillis()).isEqualTo(now.get() - 5_000);
    }

    @Test
    void aReportOfLossesThisSessionSawDoesNotDoubleThem() {
        damper.onLinkLost("c");
        long firstLoss = now.get();
        now.addAndGet(2_000);
        damper.onReport("c", new long[] {now.get() - firstLoss});
        assertThat(damper.penalty("c")).isEqualTo(Math.round(1000 * Math.pow(0.5, 2.0 / 30)));
        assertThat(damper.isDamped("c")).isFalse();
    }

    @Test
    void reportsIgnoreNegativeAndAncientAgesAndReplayOnlyTheNewest() {
        damper.onReport("c", new long[] {-5, Duration.ofHours(2).toMillis()});
        assertThat(damper.trackedClients()).isZero();
        long[] many = new long[1000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i * 10L;
        }
        damper.onReport("c", many);
        assertThat(damper.penalty("c")).isEqualTo(8000);
        assertThat(damper.damped().get(0).losses()).isEqualTo(FlapDamper.MAX_REPORTED_LOSSES);
    }

    @Test
    void disabledDampingRemovesEveryTimeButStillTracks() {
        FlapDamper off = new FlapDamper(Settings.disabled(), now::get);
        for (int i = 0; i < 5; i++) {
            assertThat(off.onLinkLost("c")).isEqualTo(REMOVE_NOW);
        }
        assertThat(off.penalty("c")).isEqualTo(5000);
        assertThat(off.lossesTotal()).isEqualTo(5);
    }

    @Test
    void idleClientsAreForgotten() {
        damper.onLinkLost("a");
        damper.onLinkLost("b");
        damper.onLinkLost("b");
        now.addAndGet(Duration.ofMinutes(4).toMillis()); // a: 1000 / 2^8 < 4; b: 2000 / 2^8 ≈ 7.8
        assertThat(damper.evictIdle()).isZero();
        now.addAndGet(Duration.ofMinutes(2).toMillis());
        assertThat(damper.evictIdle()).isEqualTo(2);
        assertThat(damper.trackedClients()).isZero();
    }

    @Test
    void settingsStateTheirBounds() {
        Settings d = Settings.defaults();
        assertThat(d.maxDampedAfterLastLoss()).isBetween(Duration.ofSeconds(100), Duration.ofSeconds(105));
        assertThatThrownBy(() -> new Settings(Duration.ofSeconds(30), 1000, 500, 8000, Duration.ofSeconds(5)))
                .hasMessageContaining("first loss");
        assertThatThrownBy(() -> new Settings(Duration.ofSeconds(30), 1500, 1500, 8000, Duration.ofSeconds(5)))
                .hasMessageContaining("reuse");
        assertThatThrownBy(() -> new Settings(Duration.ofSeconds(30), 1500, 750, 1000, Duration.ofSeconds(5)))
                .hasMessageContaining("max penalty");
        assertThatThrownBy(() -> new Settings(Duration.ZERO, 1500, 750, 8000, Duration.ofSeconds(5)))
                .hasMessageContaining("half-life");
        assertThatThrownBy(() -> new Settings(Duration.ofSeconds(30), 1500, 750, 8000, Duration.ofSeconds(-1)))
                .hasMessageContaining("hold");
    }

    @Test
    void tellsWhetherTheNextLossWouldHold() {
        assertThat(damper.holdsOnNextLoss("c")).isFalse();
        damper.onLinkLost("c");
        assertThat(damper.holdsOnNextLoss("c")).as("a second loss now would damp").isTrue();
        now.addAndGet(31_000);
        assertThat(damper.holdsOnNextLoss("c")).isFalse();
        assertThat(damper.onLinkLost("c")).isEqualTo(REMOVE_NOW);
        assertThat(new FlapDamper(Settings.disabled(), now::get).holdsOnNextLoss("c")).isFalse();
    }
}
