package dev.registry.session.push;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PushWindowsTest {
    private static final long WINDOW = 1_000;
    private static final int BURST = 5;
    private static final long SPACING = WINDOW / BURST;

    private static PushWindows<String> windows() {
        return new PushWindows<>(WINDOW, BURST);
    }

    @Test
    void aChangeToAQuietKeyRunsAtOnce() {
        assertThat(windows().onChange("a", 1_000)).isEqualTo(1_000);
    }

    @Test
    void changesDuringARoundMergeIntoOneRoundStartedWhenItEnds() {
        PushWindows<String> w = windows();
        w.onRoundStart("a", w.onChange("a", 1_000));
        assertThat(w.onChange("a", 1_001)).isEqualTo(PushWindows.NONE);
        assertThat(w.onChange("a", 1_002)).isEqualTo(PushWindows.NONE);
        assertThat(w.onRoundEnd("a", 1_005)).as("within the burst: no waiting").isEqualTo(1_005);
    }

    /** The old policy waited for a 200 ms window after any round: a publish right after a subscribe waited. */
    @Test
    void aChangeRightAfterARoundEndedRunsAtOnce() {
        PushWindows<String> w = windows();
        w.onRoundStart("a", w.onChange("a", 1_000));
        assertThat(w.onRoundEnd("a", 1_003)).isEqualTo(PushWindows.NONE);
        assertThat(w.onChange("a", 1_010)).isEqualTo(1_010);
    }

    @Test
    void beyondTheBurstRoundsAreSpacedByWindowOverBurst() {
        PushWindows<String> w = windows();
        long t = 1_000;
        for (int i = 0; i < BURST; i++) {
            assertThat(w.onChange("a", t)).as("round %d of the burst", i).isEqualTo(t);
            w.onRoundStart("a", t);
            w.onRoundEnd("a", t + 1);
            t += 2;
        }
        long next = w.onChange("a", t);
        assertThat(next).as("the burst is spent: the next round waits for its token").isEqualTo(1_000 + SPACING);
        assertThat(w.onChange("a", t + 1)).as("merged into the scheduled round").isEqualTo(PushWindows.NONE);
        w.onRoundStart("a", next);
        w.onRoundEnd("a", next + 1);
        assertThat(w.onChange("a", next + 2)).isEqualTo(1_000 + 2 * SPACING);
    }

    @Test
    void aKeyThatChangesSlowerThanTheRateIsNeverDelayed() {
        PushWindows<String> w = windows();
        for (long t = 1_000; t < 60_000; t += SPACING) {
            assertThat(w.onChange("a", t)).isEqualTo(t);
            w.onRoundStart("a", t);
            assertThat(w.onRoundEnd("a", t + 5)).isEqualTo(PushWindows.NONE);
        }
    }

    @Test
    void keysAreIndependent() {
        PushWindows<String> w = windows();
        w.onRoundStart("a", w.onChange("a", 1_000));
        assertThat(w.onChange("b", 1_001)).isEqualTo(1_001);
        assertThat(w.isBusy("a")).isTrue();
    }

    @Test
    void idleKeysAreEvictedOnlyOnceTheirBurstIsRestored() {
        PushWindows<String> w = windows();
        w.onRoundStart("a", w.onChange("a", 1_000));
        w.onRoundEnd("a", 1_010);
        assertThat(w.evictIdle(1_000 + SPACING - 1)).isZero();
        assertThat(w.evictIdle(1_000 + SPACING)).isEqualTo(1);
        assertThat(w.trackedKeys()).isZero();
    }

    @Test
    void invalidSettingsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PushWindows<>(-1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PushWindows<>(100, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Simulates a driver that runs each round for a fixed time, under random storms: rounds in
     * any stretch never exceed the stated bound (burst + length / spacing), rounds never
     * overlap, and the last change is always followed by a round that starts after it (nothing
     * is lost).
     */
    @Test
    void stormsCostAtMostTheStatedBoundAndTheLastChangeIsAlwaysCovered() {
        Random random = new Random(42);
        for (int trial = 0; trial < 300; trial++) {
            PushWindows<String> w = windows();
            long roundTime = 1 + random.nextInt(150);
            List<Long> changes = new ArrayList<>();
            long t = 10_000;
            int n = 1 + random.nextInt(2_000);
            for (int i = 0; i < n; i++) {
                t += random.nextInt(random.nextBoolean() ? 3 : 400);
                changes.add(t);
            }
            List<long[]> rounds = simulate(w, changes, roundTime);
            for (int i = 0; i < rounds.size(); i++) {
                for (int j = i; j < rounds.size(); j++) {
                    long stretch = rounds.get(j)[0] - rounds.get(i)[0];
                    assertThat((long) (j - i + 1)).as("rounds within %d ms", stretch)
                            .isLessThanOrEqualTo(w.maxRoundsIn(stretch));
                }
                if (i > 0) {
                    assertThat(rounds.get(i)[0]).as("no overlap").isGreaterThanOrEqualTo(rounds.get(i - 1)[1]);
                }
            }
            assertThat(rounds.get(rounds.size() - 1)[0]).isGreaterThanOrEqualTo(changes.get(changes.size() - 1));
        }
    }

    /** 1,000 updates of one id within a second: at most burst + burst rounds, i.e. pushes per subscriber. */
    @Test
    void aThousandUpdatesInASecondCostAtMostTenRounds() {
        PushWindows<String> w = windows();
        List<Long> changes = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            changes.add(10_000L + i);
        }
        List<long[]> rounds = simulate(w, changes, 2);
        assertThat(rounds.size()).isBetween(2, 10);
        assertThat(w.maxRoundsIn(1_000)).isEqualTo(10);
    }

    /** The shipped defaults (docs/configuration.md): 1,000 updates of one id in a second cost at most 40 rounds. */
    @Test
    void theDefaultStormBoundIsFortyRoundsASecond() {
        PushEngine.Settings d = PushEngine.Settings.defaults();
        PushWindows<String> w = new PushWindows<>(d.window().toMillis(), d.burst());
        assertThat(w.maxRoundsIn(1_000)).isEqualTo(40);
        List<Long> changes = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            changes.add(10_000L + i);
        }
        assertThat(simulate(w, changes, 2).size()).isBetween(20, 40);
    }

    /** Event-driven: returns [start, end] of each round. */
    private static List<long[]> simulate(PushWindows<String> w, List<Long> changes, long roundTime) {
        List<long[]> rounds = new ArrayList<>();
        long nextStart = PushWindows.NONE;
        long runningEnd = PushWindows.NONE;
        int i = 0;
        while (i < changes.size() || nextStart != PushWindows.NONE || runningEnd != PushWindows.NONE) {
            long nextChange = i < changes.size() ? changes.get(i) : Long.MAX_VALUE;
            long nextEvent = Math.min(nextChange, Math.min(
                    nextStart == PushWindows.NONE ? Long.MAX_VALUE : nextStart,
                    runningEnd == PushWindows.NONE ? Long.MAX_VALUE : runningEnd));
            if (runningEnd != PushWindows.NONE && nextEvent == runningEnd) {
                rounds.get(rounds.size() - 1)[1] = runningEnd;
                long next = w.onRoundEnd("k", runningEnd);
                runningEnd = PushWindows.NONE;
                if (next != PushWindows.NONE) {
                    nextStart = next;
                }
            } else if (nextStart != PushWindows.NONE && nextEvent == nextStart) {
                w.onRoundStart("k", nextStart);
                rounds.add(new long[] {nextStart, 0});
                runningEnd = nextStart + roundTime;
                nextStart = PushWindows.NONE;
            } else {
                long start = w.onChange("k", nextChange);
                if (start != PushWindows.NONE) {
                    nextStart = start;
                }
                i++;
            }
        }
        return rounds;
    }
}
