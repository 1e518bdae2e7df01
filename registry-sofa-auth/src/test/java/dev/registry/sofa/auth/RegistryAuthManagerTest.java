package dev.registry.sofa.auth;

import com.alipay.sofa.registry.core.model.PublisherRegister;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryAuthManagerTest {
    private static final String SECRET = "s3cret-s3cret-s3cret";

    private static PublisherRegister register(String dataId, long version) {
        PublisherRegister r = new PublisherRegister();
        r.setDataId(dataId);
        r.setGroup("DEFAULT_GROUP");
        r.setInstanceId("DEFAULT_INSTANCE_ID");
        r.setRegistId("reg-1");
        r.setEventType("REGISTER");
        r.setVersion(version);
        return r;
    }

    @Test
    void signsEveryRequestWithTheFourAttributes() {
        RegistryAuthManager auth = new RegistryAuthManager("AK-demo", SECRET, () -> 1_700_000_000_000L);
        Map<String, String> a = auth.getAuthContent(register("demo.svc", 1));
        assertThat(a).containsEntry("!AccessKey", "AK-demo").containsEntry("!Algorithm", "HmacSHA256")
                .containsEntry("!Timestamp", "1700000000000").containsKey("!Signature");
        // Pinned: the session verifies exactly this string (registry-server's SofaAuthenticationTest checks it live).
        assertThat(a.get("!Signature")).isEqualTo(auth.sign(1_700_000_000_000L, register("demo.svc", 1)));
        assertThat(a.values()).noneMatch(v -> v.contains(SECRET));
    }

    @Test
    void theSignatureBindsTheIdTheVersionAndTheTime() {
        RegistryAuthManager auth = new RegistryAuthManager("AK-demo", SECRET, () -> 1L);
        String base = auth.sign(1, register("demo.svc", 1));
        assertThat(auth.sign(1, register("other.svc", 1))).isNotEqualTo(base);
        assertThat(auth.sign(1, register("demo.svc", 2))).isNotEqualTo(base);
        assertThat(auth.sign(2, register("demo.svc", 1))).isNotEqualTo(base);
        assertThat(new RegistryAuthManager("AK-demo", "another-secret-value", () -> 1L).sign(1, register("demo.svc", 1)))
                .isNotEqualTo(base);
        PublisherRegister empty = new PublisherRegister();
        assertThat(auth.sign(1, empty)).as("absent fields sign as empty").isNotEmpty();
    }

    @Test
    void readsACredentialsFileAndRefusesMissingKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("demo.credentials");
        Files.write(file, ("accessKey=AK-demo\nsecretKey=" + SECRET + "\napp=demo\n").getBytes(StandardCharsets.UTF_8));
        RegistryAuthManager auth = RegistryAuthManager.fromFile(file);
        assertThat(auth.toString()).contains("AK-demo").doesNotContain(SECRET);
        Files.write(file, "accessKey=AK-demo\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> RegistryAuthManager.fromFile(file)).hasMessageContaining("secretKey=");
        assertThatThrownBy(() -> new RegistryAuthManager(" ", SECRET)).hasMessageContaining("accessKey");
        assertThatThrownBy(() -> new RegistryAuthManager("AK", "")).hasMessageContaining("secretKey")
                .hasMessageNotContaining(SECRET);
    }
}
