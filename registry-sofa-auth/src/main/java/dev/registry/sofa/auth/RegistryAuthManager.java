package dev.registry.sofa.auth;

import com.alipay.sofa.registry.client.api.RegistryClientConfig;
import com.alipay.sofa.registry.client.auth.AuthManager;
import com.alipay.sofa.registry.core.model.BaseRegister;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Signs every registration SOFARegistry's Java client sends with the app's credentials, so a
 * session that requires authentication accepts it (docs/security.md):
 *
 * <pre>
 * DefaultRegistryClient client = new DefaultRegistryClient(config);
 * client.setAuthManager(new RegistryAuthManager(config)); // config.getAccessKey(), getSecretKey()
 * client.init();
 * </pre>
 *
 * The client calls {@link #getAuthContent} each time it assembles a request; the answer goes
 * into the request's attributes: {@code !AccessKey}, {@code !Algorithm} ({@code HmacSHA256}),
 * {@code !Timestamp} (epoch milliseconds) and {@code !Signature}, the base64 HMAC-SHA256 with
 * the secret key over
 *
 * <pre>
 * registry-auth-v1 \n accessKey \n timestamp \n sofa-register \n dataId \n group \n instanceId \n registId \n version
 * </pre>
 *
 * (absent fields empty; not the event type, which the client sets after signing). The secret never travels; the session accepts a timestamp within
 * 5 minutes of its clock and each signature once. Thread-safe.
 */
public final class RegistryAuthManager implements AuthManager {
    static final String ALGORITHM = "HmacSHA256";

    private final String accessKey;
    private final SecretKeySpec secretKey;
    private final Clock clock;

    /** The wall clock, replaceable in tests. */
    interface Clock {
        long millis();
    }

    /** Credentials from the client's configuration ({@code accessKey}, {@code secretKey}). */
    public RegistryAuthManager(RegistryClientConfig config) {
        this(config.getAccessKey(), config.getSecretKey());
    }

    public RegistryAuthManager(String accessKey, String secretKey) {
        this(accessKey, secretKey, System::currentTimeMillis);
    }

    RegistryAuthManager(String accessKey, String secretKey, Clock clock) {
        if (accessKey == null || accessKey.trim().isEmpty()) {
            throw new IllegalArgumentException("accessKey must be set (the app's access key from the registry's apps file)");
        }
        if (secretKey == null || secretKey.isEmpty()) {
            throw new IllegalArgumentException("secretKey must be set for access key " + accessKey);
        }
        this.accessKey = accessKey.trim();
        this.secretKey = new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.clock = clock;
    }

    /**
     * Credentials from a file with {@code accessKey=} and {@code secretKey=} lines (the format
     * {@code scripts/cluster.sh start --secure} writes to {@code secrets/demo.credentials}).
     */
    public static RegistryAuthManager fromFile(Path credentials) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(credentials)) {
            p.load(in);
        }
        String accessKey = p.getProperty("accessKey");
        String secretKey = p.getProperty("secretKey");
        if (accessKey == null || secretKey == null) {
            throw new IOException(credentials + " must hold accessKey= and secretKey= lines");
        }
        return new RegistryAuthManager(accessKey, secretKey.trim());
    }

    @Override
    public Map<String, String> getAuthContent(BaseRegister register) {
        long timestamp = clock.millis();
        Map<String, String> attributes = new HashMap<String, String>();
        attributes.put("!AccessKey", accessKey);
        attributes.put("!Algorithm", ALGORITHM);
        attributes.put("!Timestamp", Long.toString(timestamp));
        attributes.put("!Signature", sign(timestamp, register));
        return attributes;
    }

    String sign(long timestamp, BaseRegister r) {
        String content = "registry-auth-v1\n" + accessKey + "\n" + timestamp + "\nsofa-register\n" + nz(r.getDataId())
                + "\n" + nz(r.getGroup()) + "\n" + nz(r.getInstanceId()) + "\n" + nz(r.getRegistId()) + "\n"
                + (r.getVersion() == null ? "" : r.getVersion().toString());
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(secretKey);
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has " + ALGORITHM, e);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    @Override
    public String toString() {
        return "RegistryAuthManager[accessKey=" + accessKey + "]"; // never the secret
    }
}
