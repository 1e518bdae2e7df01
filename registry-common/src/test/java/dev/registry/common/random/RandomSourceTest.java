package dev.registry.common.random;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class RandomSourceTest {

    private static long[] draw(Random random, int n) {
        return LongStream.generate(random::nextLong).limit(n).toArray();
    }

    @Test
    void sameSeedAndNameGiveTheSameSequence() {
        RandomSource a = RandomSource.seeded(42);
        RandomSource b = RandomSource.seeded(42);

        assertThat(draw(a.forComponent("session.push-retries"), 100))
                .containsExactly(draw(b.forComponent("session.push-retries"), 100));
        assertThat(a.seed()).isEqualTo(42);
        assertThat(a.isSeeded()).isTrue();
    }

    @Test
    void aComponentsSequenceDoesNotDependOnOtherComponents() {
        RandomSource a = RandomSource.seeded(7);
        Random first = a.forComponent("x");
        draw(first, 1000); // another component drew a lot before this one was created
        Random second = a.forComponent("y");

        assertThat(draw(second, 50)).containsExactly(draw(RandomSource.seeded(7).forComponent("y"), 50));
    }

    @Test
    void differentNamesGiveDifferentSequences() {
        RandomSource source = RandomSource.seeded(42);

        assertThat(draw(source.forComponent("client.reconnect-backoff"), 20))
                .isNotEqualTo(draw(source.forComponent("client.first-session"), 20));
        assertThat(draw(source.forComponent("a"), 20)).isNotEqualTo(draw(source.forComponent("b"), 20));
    }

    @Test
    void nearbySeedsGiveDifferentSequences() {
        assertThat(draw(RandomSource.seeded(1).forComponent("a"), 20))
                .isNotEqualTo(draw(RandomSource.seeded(2).forComponent("a"), 20));
        assertThat(RandomSource.componentSeed(1, "a")).isNotEqualTo(RandomSource.componentSeed(2, "a"));
        // java.util.Random uses only the low 48 bits of its seed: they must differ as well
        long mask = (1L << 48) - 1;
        assertThat(RandomSource.componentSeed(0, "a") & mask).isNotEqualTo(RandomSource.componentSeed(1L << 48, "a") & mask);
    }

    @Test
    void unseededSourcesDifferBetweenInstances() {
        RandomSource a = RandomSource.unseeded();
        RandomSource b = RandomSource.unseeded();

        assertThat(a.isSeeded()).isFalse();
        assertThat(a.seed()).isNotEqualTo(b.seed());
        assertThat(draw(a.forComponent("x"), 20)).isNotEqualTo(draw(b.forComponent("x"), 20));
    }

    @Test
    void anUnseededSourceCanBeReplayedFromItsSeed() {
        RandomSource drawn = RandomSource.unseeded();

        assertThat(draw(RandomSource.seeded(drawn.seed()).forComponent("x"), 20))
                .containsExactly(draw(drawn.forComponent("x"), 20));
    }

    @Test
    void ofTakesNullAsUnseeded() {
        assertThat(RandomSource.of(null).isSeeded()).isFalse();
        assertThat(RandomSource.of(5L).isSeeded()).isTrue();
        assertThat(RandomSource.of(5L).seed()).isEqualTo(5);
    }

    @Test
    void idsAreSecureUnlessSeeded() {
        assertThat(RandomSource.unseeded().forIds("ids")).isInstanceOf(SecureRandom.class);
        assertThat(draw(RandomSource.seeded(3).forIds("ids"), 10))
                .containsExactly(draw(RandomSource.seeded(3).forIds("ids"), 10));
    }
}
