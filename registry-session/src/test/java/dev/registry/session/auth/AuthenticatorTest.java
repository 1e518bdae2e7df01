package dev.registry.session.auth;

import dev.registry.common.auth.AuthSignature;
import dev.registry.common.protocol.AuthRequest;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthenticatorTest {
    private static final String SECRET = "s3cret-s3cret-s3cret";
    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private final AppCredentials apps = apps("""
            demo.accessKey=AK-demo
            demo.secretKey=s3cret-s3cret-s3cret
            demo.publish=demo.*,shared
            other.accessKey=AK-other
            other.secretKey=another-secret-value
            other.subscribe=other.*
            """);
    private final Authenticator auth = new Authenticator(() -> apps, now::get);

    static AppCredentials apps(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return AppCredentials.parse(p, "test");
    }

    private AuthRequest signed(String accessKey, String secret, long at, String nonce) {
        return new AuthRequest(accessKey, at, nonce, AuthSignature.sign(secret, accessKey, at, nonce));
    }

    @Test
    void aCorrectSignatureProvesTheApp() {
        AppCredentials.App app = auth.authenticate(signed("AK-demo", SECRET, now.get(), "nonce-0000000001"));
        assertThat(app.name()).isEqualTo("demo");
    }

    @Test
    void everyWrongProofIsRefusedWithItsReason() {
        assertRefused(signed("AK-nobody", SECRET, now.get(), "nonce-0000000002"), "unknown access key");
        assertRefused(signed("AK-demo", "not-the-secret-at-all", now.get(), "nonce-0000000003"), "bad signature");
        assertRefused(signed("AK-demo", SECRET, now.get() - 301_000, "nonce-0000000004"), "timestamp");
        assertRefused(signed("AK-demo", SECRET, now.get() + 301_000, "nonce-0000000005"), "timestamp");
        assertRefused(signed("AK-demo", SECRET, now.get(), "short"), "nonce");
        AuthRequest tampered = new AuthRequest("AK-demo", now.get() + 1, "nonce-0000000006",
                AuthSignature.sign(SECRET, "AK-demo", now.get(), "nonce-0000000006"));
        assertRefused(tampered, "bad signature");
        assertRefused(new AuthRequest("AK-demo", now.get(), "nonce-0000000007", null), "bad signature");
    }

    @Test
    void aRecordedRequestCannotBeReplayed() {
        AuthRequest once = signed("AK-demo", SECRET, now.get(), "nonce-0000000008");
        auth.authenticate(once);
        now.addAndGet(1_000);
        assertRefused(once, "replayed");
        now.addAndGet(20 * 60_000); // long after: its timestamp is out of the window instead
        assertRefused(once, "timestamp");
    }

    @Test
    void signedContentIsBoundAndCannotBeReplayed() {
        long at = now.get();
        String content = "sofa-register\ndemo.svc\nDEFAULT_GROUP\n\nreg-1\n1";
        String signature = AuthSignature.sign(SECRET, "AK-demo", at, content);
        assertThat(auth.authenticateContent("AK-demo", at, content, signature).name()).isEqualTo("demo");
        assertThatThrownBy(() -> auth.authenticateContent("AK-demo", at, content, signature))
                .hasMessageContaining("replayed");
        assertThatThrownBy(() -> auth.authenticateContent("AK-demo", at, content.replace("demo.svc", "other.svc"),
                AuthSignature.sign(SECRET, "AK-demo", at, content))).hasMessageContaining("bad signature");
        assertThatThrownBy(() -> auth.authenticateContent("AK-demo", at - 301_000, content,
                AuthSignature.sign(SECRET, "AK-demo", at - 301_000, content))).hasMessageContaining("timestamp");
        // The same registration signed again later (a re-send after a reconnect) passes.
        now.addAndGet(5);
        assertThat(auth.authenticateContent("AK-demo", now.get(), content,
                AuthSignature.sign(SECRET, "AK-demo", now.get(), content))).isNotNull();
    }

    @Test
    void aclsMatchDataIdsAndPrefixes() {
        AppCredentials.App demo = apps.byAccessKey("AK-demo");
        assertThat(demo.mayPublish("demo.svc")).isTrue();
        assertThat(demo.mayPublish("shared")).isTrue();
        assertThat(demo.mayPublish("other.svc")).isFalse();
        assertThat(demo.maySubscribe("anything")).as("subscribe defaults to *").isTrue();
        AppCredentials.App other = apps.byAccessKey("AK-other");
        assertThat(other.mayPublish("other.svc")).as("publish defaults to nothing").isFalse();
        assertThat(other.maySubscribe("demo.svc")).isFalse();
        assertThat(other.toString()).doesNotContain("another-secret-value");
    }

    @Test
    void brokenFilesAreRefusedNamingTheKeyNeverTheSecret() {
        assertThatThrownBy(() -> apps("demo.accessKey=AK\ndemo.secretKey=short\n")).hasMessageContaining("demo.secretKey")
                .hasMessageNotContaining("short\n");
        assertThatThrownBy(() -> apps("demo.secretKey=s3cret-s3cret-s3cret\n")).hasMessageContaining("demo.accessKey");
        assertThatThrownBy(() -> apps("demo.acessKey=AK\n")).hasMessageContaining("unknown key 'demo.acessKey'");
        assertThatThrownBy(() -> apps("a.accessKey=AK\na.secretKey=s3cret-s3cret-s3cret\nb.accessKey=AK\n"
                + "b.secretKey=s3cret-s3cret-s3cret\n")).hasMessageContaining("also");
    }

    private void assertRefused(AuthRequest request, String reason) {
        assertThatThrownBy(() -> auth.authenticate(request)).isInstanceOfSatisfying(RpcException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED)).hasMessageContaining(reason);
    }
}
