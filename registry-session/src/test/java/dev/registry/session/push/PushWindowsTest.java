package dev.registry.session.push;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PushWindowsTest {
    private static final long WINDOW = 200;

    @Test
    void aChangeToAQuietKeyRunsAtOnce() {
        PushWindows<String> w = new PushWindows<>(WINDOW);
        assertThat(w.onChange("a", 1_000)).isEqualTo(1_000);
    }

    @Test
    void changesDuringARoundMergeIntoOneRoundAtTheEndOfTheWindow() {
        PushWindows<String> w = new PushWindows<>(WINDOW);
        w.onRoundStart("a", w.onChange("a", 1_000));
        assertThat(w.onChange("a", 1_010)).isEqualTo(PushWindows.NONE);
        assertThat(w.onChange("a", 1_020)).isEqualTo(PushWindows.NONE);
        assertThat(w.onRoundEnd("a", 1_050)).isEqualTo(1_200);
    }

    @Test
    void aRoundEndingAfterTheWindowRunsTheMergedRoundImmediately() {
        PushWindows<String> w = new PushWindows<>(WINDOW);
        w.onRoundStart("a", w.onChange("a", 1_000));
        w.onChange("a", 1_100);
        assertThat(w.onRoundEnd("a", 1_500)).isEqualTo(1_500);
    }

    @Test
    void changesWithinTheWindowAfterARoundAreScheduledOnceAtTheWindowEnd() {
        PushWindows<String> w = new PushWindows<>(WINDOW);
        w.onRoundStart("a", w.onChange("a", 1_000));
        assertThat(w.onRoundEnd("a", 1_020)).isEqualTo(PushWindows.NONE);
        assertThat(w.onChange("a", 1_050)).isEqualTo(1_200);
        assertThat(w.onChange("a", 1_060)).isEqualTo(PushWindows.NONE);
        assertThat(w.onChange("a", 1_199)).isEqualTo(PushWindows.NONE);
    }

    @Test
    void aRoundWithoutNewChangesSchedulesNothing() {
        PushWindows<String> w = new PushWindows<>(WINDOW);
        w.onRoundStart("a", w.onChange("a", 1_000));
        assertThat(w.onRoundEnd("a", 1_010)).isEqualTo(PushWindows.NONE);
        assertThat(w.onChange("a", 1_300)).as("window closed: leading edge again").isEqualTo(1_300);
    }

    @Test
    void keysAreIndependent() {
        PushWindows<String> w = new PushWindows<>(WINDOW);
        w.onRoundStart("a", w.onChange("a", 1_000));
        assertThat(w.onChange("b", 1_001)).isEqualTo(1_001);
        assertThat(w.isBusy("a")).isTrue();
    }

    @Test
    void idleKeysAreEvictedOnlyAfterTheirWindowClosed() {
        PushWindows<String> w = new PushWindows<>(WINDOW);
        w.onRoundStart("a", w.onChange("a", 1_000));
        w.onRoundEnd("a", 1_010);
        assertThat(w.evictIdle(1_100)).isZero();
        assertThat(w.evictIdle(1_200)).isEqualTo(1);
        assertThat(w.trackedKeys()).isZero();
    }

    /**
     * Simulates a driver that runs each round for a fixed time: a burst of changes of length T
     * costs at most 1 + T/window + 1 rounds, rounds never overlap, and the last change is always
     * followed by a round that starts after it (nothing is lost).
     */
    @Test
    void burstsCostAboutOneRoundPerWindowAndTheLastChangeIsAlwaysCovered() {
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            PushWindows<String> w = new PushWindows<>(WINDOW);
            long roundTime = 1 + random.nextInt(150);
            List<Long> changes = new ArrayList<>();
            long t = 10_000;
            int n = 1 + random.nextInt(1000);
            for (int i = 0; i < n; i++) {
                t += random.nextInt(5);
                changes.add(t);
            }
            List<long[]> rounds = simulate(w, changes, roundTime);
            long burst = changes.get(changes.size() - 1) - changes.get(0);
            assertThat(rounds.size()).isLessThanOrEqualTo((int) (2 + (burst + roundTime) / WINDOW));
            for (int i = 1; i < rounds.size(); i++) {
                assertThat(rounds.get(i)[0]).as("no overlap, one window apart")
                        .isGreaterThanOrEqualTo(Math.max(rounds.get(i - 1)[1], rounds.get(i - 1)[0] + WINDOW));
            }
            assertThat(rounds.get(rounds.size() - 1)[0]).isGreaterThanOrEqualTo(changes.get(changes.size() - 1));
        }
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
