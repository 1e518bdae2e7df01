package dev.registry.common.protocol;

import java.io.Serializable;

/**
 * Client -> session, first call on a connection when the client has app credentials: the
 * access key, a timestamp, a random nonce and their signature ({@link dev.registry.common.auth.AuthSignature}).
 * Answered with an {@link AuthResult}, or UNAUTHENTICATED. Wire DTO.
 */
public final class AuthRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private String accessKey;
    private long timestampMillis;
    private String nonce;
    private String signature;

    @SuppressWarnings("unused")
    private AuthRequest() {
    }

    public AuthRequest(String accessKey, long timestampMillis, String nonce, String signature) {
        this.accessKey = accessKey;
        this.timestampMillis = timestampMillis;
        this.nonce = nonce;
        this.signature = signature;
    }

    public String accessKey() {
        return accessKey;
    }

    public long timestampMillis() {
        return timestampMillis;
    }

    public String nonce() {
        return nonce;
    }

    public String signature() {
        return signature;
    }

    @Override
    public String toString() {
        return "AuthRequest{accessKey=" + accessKey + ", timestampMillis=" + timestampMillis + "}"; // no signature
    }
}
