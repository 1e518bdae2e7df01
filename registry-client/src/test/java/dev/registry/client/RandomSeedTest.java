package dev.registry.client;

import dev.registry.common.random.RandomSource;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A configured seed makes the client's random choices repeatable (issue #21); the default stays random. */
class RandomSeedTest {
    private static final String SERVERS = "10.0.0.1:9600,10.0.0.2:9600,10.0.0.3:9600,10.0.0.4:9600,10.0.0.5:9600";

    private static int firstSession(RegistryClientConfig config) {
        return RegistryClient.firstSession(RandomSource.of(config.randomSeed()), config.sessionServers().size());
    }

    @Test
    void theSameSeedPicksTheSameFirstSession() {
        for (long seed = 0; seed < 50; seed++) {
            RegistryClientConfig a = RegistryClientConfig.builder(SERVERS).randomSeed(seed).build();
            RegistryClientConfig b = RegistryClientConfig.builder(SERVERS).appName("other").randomSeed(seed).build();

            assertThat(firstSession(a)).as("seed %d", seed).isEqualTo(firstSession(b));
        }
    }

    @Test
    void seedsStillSpreadClientsOverTheSessions() {
        Set<Integer> picked = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            picked.add(firstSession(RegistryClientConfig.builder(SERVERS).randomSeed(seed).build()));
        }
        assertThat(picked).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }

    @Test
    void withoutASeedTheClientDrawsOne() {
        RegistryClientConfig config = RegistryClientConfig.builder(SERVERS).build();

        assertThat(config.randomSeed()).isNull();
        Set<Integer> picked = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            picked.add(firstSession(config));
        }
        assertThat(picked).as("unseeded clients spread as before").hasSize(5);
    }

    @Test
    void seededIdsRepeatWithTheSeedAndKeepTheirForm() {
        RegisterIds a = new RegisterIds(RandomSource.seeded(9).forIds("client.ids"));
        RegisterIds b = new RegisterIds(RandomSource.seeded(9).forIds("client.ids"));

        for (int i = 0; i < 100; i++) {
            String id = a.nextId();
            assertThat(id).isEqualTo(b.nextId()).hasSize(22).matches("[A-Za-z0-9_-]{22}");
        }
    }
}
