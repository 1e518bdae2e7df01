package dev.registry.client;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Random;

/**
 * Registration ids: 128 bits from a {@link SecureRandom} (as a random UUID has), written as 22
 * URL-safe base64 characters instead of a UUID's 36. Every copy of a registration keeps its id
 * (the session's, each data server's, every subscriber entry), so the shorter form saves 16 bytes
 * of heap per copy; unguessable, since another client must not be able to name it.
 *
 * <p>A client takes its generator from its {@link dev.registry.common.random.RandomSource}: the
 * secure one unless a seed was configured, for a simulator that must replay the ids too (a
 * seeded generator's ids are neither unguessable nor unique across processes).
 */
final class RegisterIds {
    private static final RegisterIds SECURE = new RegisterIds(new SecureRandom());
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final Random random;

    RegisterIds(Random random) {
        this.random = random;
    }

    /** An id from the process-wide secure generator. */
    static String next() {
        return SECURE.nextId();
    }

    String nextId() {
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        return ENCODER.encodeToString(bits);
    }
}
