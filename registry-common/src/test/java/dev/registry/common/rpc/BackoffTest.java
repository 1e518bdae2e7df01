package dev.registry.common.rpc;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofMillis(5_000);

    @Test
    void delayLiesInUpperHalfOfTheExponentialCeiling() {
        Backoff backoff = new Backoff(INITIAL, MAX, new Random(11));
        for (int round = 0; round < 200; round++) {
            for (int attempt = 0; attempt < 12; attempt++) {
                long ceiling = Math.min(MAX.toMillis(), INITIAL.toMillis() << attempt);

                long delay = backoff.delay(attempt).toMillis();

                assertThat(delay).as("attempt %d", attempt).isBetween(ceiling / 2, ceiling);
            }
        }
    }

    @Test
    void delayIsCappedAtMaxForever() {
        Backoff backoff = new Backoff(INITIAL, MAX, new Random(12));

        for (int attempt : new int[] {6, 7, 30, 31, 62, 63, 64, 1_000, Integer.MAX_VALUE}) {
            assertThat(backoff.delay(attempt).toMillis()).as("attempt %d", attempt)
                    .isBetween(MAX.toMillis() / 2, MAX.toMillis());
        }
    }

    @Test
    void negativeAttemptCountsAsFirst() {
        Backoff backoff = new Backoff(INITIAL, MAX, new Random(13));

        assertThat(backoff.delay(-5).toMillis()).isBetween(50L, 100L);
    }

    @Test
    void jitterUsesTheWholeRangeAndDependsOnlyOnTheSeed() {
        Backoff a = new Backoff(INITIAL, MAX, new Random(99));
        Backoff b = new Backoff(INITIAL, MAX, new Random(99));
        List<Duration> fromA = new ArrayList<>();
        List<Duration> fromB = new ArrayList<>();
        Set<Long> distinct = new HashSet<>();
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < 2_000; i++) {
            Duration d = a.delay(3);
            fromA.add(d);
            fromB.add(b.delay(3));
            distinct.add(d.toMillis());
            lowest = Math.min(lowest, d.toMillis());
            highest = Math.max(highest, d.toMillis());
        }

        assertThat(fromA).isEqualTo(fromB);
        // attempt 3: ceiling 800 ms, so delays spread over [400, 800]
        assertThat(lowest).isLessThan(420);
        assertThat(highest).isGreaterThan(780);
        assertThat(distinct).hasSizeGreaterThan(300);
    }

    @Test
    void tinyDelaysStayWithinBounds() {
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), new Random(1));

        for (int i = 0; i < 100; i++) {
            assertThat(backoff.delay(i).toMillis()).isBetween(0L, 1L);
        }
    }

    @Test
    void rejectsNonsenseBounds() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, MAX, new Random()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(-1), MAX, new Random()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(MAX, INITIAL, new Random()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void delaysPacedByElapsedTimeAreAQuarterToAHalfOfIt() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(3));
        assertThat(backoff.delayAfter(Duration.ZERO).toMillis()).isBetween(50L, 100L);
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.delayAfter(Duration.ofMillis(2_000)).toMillis()).isBetween(500L, 1_000L);
            assertThat(backoff.delayAfter(Duration.ofMinutes(5)).toMillis()).isBetween(2_500L, 5_000L);
        }
    }

    /**
     * A link down 1.5 s and up 1 s after every reset: retries paced by elapsed time always hit
     * the first up time, for any jitter (attempt-paced retries miss it about a third of the time).
     */
    @Test
    void retriesPacedByElapsedTimeCatchAOneSecondUpTimeAfterOneAndAHalfSecondsDown() {
        for (long seed = 0; seed < 2_000; seed++) {
            Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(seed));
            long t = 0;
            while (t < 1_500) {
                t += backoff.delayAfter(Duration.ofMillis(t)).toMillis();
            }
            assertThat(t).as("seed %d", seed).isLessThan(2_500);
        }
    }
}
