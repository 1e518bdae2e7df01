package dev.registry.client;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Registration ids: 128 bits from a {@link SecureRandom} (as a random UUID has), written as 22
 * URL-safe base64 characters instead of a UUID's 36. Every copy of a registration keeps its id
 * (the session's, each data server's, every subscriber entry), so the shorter form saves 16 bytes
 * of heap per copy; unguessable, since another client must not be able to name it.
 */
final class RegisterIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private RegisterIds() {
    }

    static String next() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return ENCODER.encodeToString(bits);
    }
}
