package dev.registry.session.auth;

import dev.registry.common.auth.AuthSignature;
import dev.registry.common.protocol.AuthRequest;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Checks a client's {@link AuthRequest}: a known access key, a signature made with its app's
 * secret, a timestamp within {@link #WINDOW_MILLIS} of this session's clock and a nonce not seen
 * within the window (so a recorded request cannot be replayed). Every refusal is
 * UNAUTHENTICATED with a reason that names no secret. Thread-safe; clock injected.
 */
public final class Authenticator {
    /** How far a client's clock may be off, and how long nonces are remembered. */
    public static final long WINDOW_MILLIS = 5 * 60_000;
    /** Nonces remembered at most (beyond, the oldest go: their timestamps leave the window soon anyway). */
    static final int MAX_NONCES = 200_000;

    private final Supplier<AppCredentials> apps;
    private final LongSupplier clockMillis;
    private final Set<String> nonces = new HashSet<>();
    private final ArrayDeque<long[]> nonceTimes = new ArrayDeque<>();
    private final ArrayDeque<String> nonceOrder = new ArrayDeque<>();

    public Authenticator(Supplier<AppCredentials> apps, LongSupplier clockMillis) {
        this.apps = apps;
        this.clockMillis = clockMillis;
    }

    /** The app the request proves, or UNAUTHENTICATED. */
    public AppCredentials.App authenticate(AuthRequest request) {
        if (request.nonce() == null || request.nonce().length() < 16 || request.nonce().length() > 64) {
            throw refused("nonce must be 16..64 characters");
        }
        return verify(request.accessKey(), request.timestampMillis(), request.nonce(), request.signature());
    }

    /**
     * A request that signs its own content instead of a random nonce (SOFARegistry's client signs
     * every registration it sends, see {@code SofaModel.signedContent}): the content is what the
     * signature binds, so a changed request fails, and an identical one replayed is refused like
     * a reused nonce.
     */
    public AppCredentials.App authenticateContent(String accessKey, long timestampMillis, String content,
                                                  String signature) {
        return verify(accessKey, timestampMillis, content, signature);
    }

    private AppCredentials.App verify(String accessKey, long timestampMillis, String nonce, String signature) {
        AppCredentials.App app = apps.get().byAccessKey(accessKey);
        if (app == null) {
            throw refused("unknown access key");
        }
        long now = clockMillis.getAsLong();
        if (Math.abs(now - timestampMillis) > WINDOW_MILLIS) {
            throw refused("timestamp is more than " + WINDOW_MILLIS / 1000 + " s off this session's clock");
        }
        if (!AuthSignature.verify(app.secretKey(), accessKey, timestampMillis, nonce, signature)) {
            throw refused("bad signature (wrong secret key?)");
        }
        // The signature is the replay key: it is unique per (access key, timestamp, nonce or content).
        synchronized (this) {
            forgetOld(now);
            if (!nonces.add(signature)) {
                throw refused("replayed request (nonce already used)");
            }
            nonceOrder.addLast(signature);
            nonceTimes.addLast(new long[] {now});
            while (nonceOrder.size() > MAX_NONCES) {
                nonces.remove(nonceOrder.removeFirst());
                nonceTimes.removeFirst();
            }
        }
        return app;
    }

    private void forgetOld(long now) {
        while (!nonceTimes.isEmpty() && now - nonceTimes.peekFirst()[0] > 2 * WINDOW_MILLIS) {
            nonceTimes.removeFirst();
            nonces.remove(nonceOrder.removeFirst());
        }
    }

    private static RpcException refused(String why) {
        return new RpcException(ErrorCode.UNAUTHENTICATED, "authentication failed: " + why);
    }
}
