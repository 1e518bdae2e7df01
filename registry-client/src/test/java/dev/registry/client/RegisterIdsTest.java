package dev.registry.client;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RegisterIdsTest {

    @Test
    void idsAre22UrlSafeCharactersCarrying128BitsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = RegisterIds.next();
            assertThat(id).hasSize(22).matches("[A-Za-z0-9_-]{22}");
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
            assertThat(seen.add(id)).as("repeated id %s", id).isTrue();
        }
        assertThat(seen).hasSize(100_000);
    }
}
