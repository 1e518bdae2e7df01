package dev.registry.common.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The signature a client proves its app credentials with: HMAC-SHA256 with the app's secret
 * key over {@code "registry-auth-v1\n" + accessKey + "\n" + timestampMillis + "\n" + nonce},
 * base64. The secret never travels; the timestamp and the nonce make a recorded signature
 * useless later (the session accepts a timestamp within a window and each nonce once).
 */
public final class AuthSignature {
    public static final String ALGORITHM = "HmacSHA256";
    private static final String CONTEXT = "registry-auth-v1";

    private AuthSignature() {
    }

    public static String sign(String secretKey, String accessKey, long timestampMillis, String nonce) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            byte[] sig = mac.doFinal((CONTEXT + "\n" + accessKey + "\n" + timestampMillis + "\n" + nonce)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has " + ALGORITHM, e);
        }
    }

    /** Constant-time comparison of a given signature with the expected one. */
    public static boolean verify(String secretKey, String accessKey, long timestampMillis, String nonce,
                                 String signature) {
        if (signature == null) {
            return false;
        }
        byte[] expected = sign(secretKey, accessKey, timestampMillis, nonce).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8));
    }
}
