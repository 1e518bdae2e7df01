package dev.registry.session.auth;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.AuthRequest;
import dev.registry.common.protocol.AuthResult;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Client authentication of a session's client port: which app each connection proved (by its
 * access key; the app is looked up per request, so edits of the apps file apply at once), and
 * the app a registration is stamped with after its ACL allowed it. Off without an apps file:
 * then every call passes and registrations keep the app name the client gave. Thread-safe.
 */
public final class ClientAuthentication {
    /** The attribute keys of SOFARegistry's {@code AttributeKeyConstants}. */
    public static final String SIGNED_ACCESS_KEY = "!AccessKey";
    public static final String SIGNED_ALGORITHM = "!Algorithm";
    public static final String SIGNED_TIMESTAMP = "!Timestamp";
    public static final String SIGNED_SIGNATURE = "!Signature";

    private final AppsFile apps;
    private final Authenticator authenticator;
    private final Map<String, String> accessKeyOfConnection = new ConcurrentHashMap<>();

    /** @param appsFile the apps file; null turns authentication off */
    public ClientAuthentication(Path appsFile, LongSupplier clockMillis) {
        this.apps = appsFile == null ? null : new AppsFile(appsFile);
        this.authenticator = apps == null ? null : new Authenticator(apps::current, clockMillis);
    }

    public boolean required() {
        return apps != null;
    }

    /** Re-reads the apps file every 2 s when it changed. */
    public void startReloading(ScheduledExecutorService timer) {
        if (apps != null) {
            timer.scheduleWithFixedDelay(apps::reloadIfChanged, 2, 2, TimeUnit.SECONDS);
        }
    }

    /** A connection proves its app; with authentication off it is told so (no app). */
    public AuthResult authenticate(String connectionId, AuthRequest request) {
        if (authenticator == null) {
            return new AuthResult(null);
        }
        AppCredentials.App app = authenticator.authenticate(request);
        accessKeyOfConnection.put(connectionId, app.accessKey());
        return new AuthResult(app.name());
    }

    /**
     * A request that carries its own signature (SOFARegistry's client: {@code !AccessKey},
     * {@code !Algorithm}, {@code !Timestamp}, {@code !Signature} attributes over
     * {@code signedContent}) authenticates its connection as the signing app; with
     * authentication off it passes. UNAUTHENTICATED when absent or wrong.
     */
    public void authenticateSigned(String connectionId, Map<String, String> attributes, String signedContent) {
        if (authenticator == null) {
            return;
        }
        Map<String, String> a = attributes == null ? Map.of() : attributes;
        String accessKey = a.get(SIGNED_ACCESS_KEY);
        if (accessKey == null) {
            throw new RpcException(ErrorCode.UNAUTHENTICATED, "authentication required: this session accepts only "
                    + "clients with app credentials (SOFARegistry's client: setAuthManager(new RegistryAuthManager"
                    + "(config)) from registry-sofa-auth, docs/security.md)");
        }
        String algorithm = a.get(SIGNED_ALGORITHM);
        if (algorithm != null && !algorithm.equals(dev.registry.common.auth.AuthSignature.ALGORITHM)) {
            throw new RpcException(ErrorCode.UNAUTHENTICATED, "authentication failed: algorithm " + algorithm
                    + " not supported (" + dev.registry.common.auth.AuthSignature.ALGORITHM + " is)");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(a.getOrDefault(SIGNED_TIMESTAMP, ""));
        } catch (NumberFormatException e) {
            throw new RpcException(ErrorCode.UNAUTHENTICATED, "authentication failed: " + SIGNED_TIMESTAMP
                    + " must be epoch milliseconds");
        }
        AppCredentials.App app = authenticator.authenticateContent(accessKey, timestamp, signedContent,
                a.get(SIGNED_SIGNATURE));
        accessKeyOfConnection.put(connectionId, app.accessKey());
    }

    /** The app a publisher of {@code id} is stamped with: the authenticated one if its ACL allows, else refused. */
    public String appToPublish(String connectionId, DataInfoId id, String claimedApp) {
        AppCredentials.App app = requireApp(connectionId);
        if (app == null) {
            return claimedApp;
        }
        if (!app.mayPublish(id.dataId())) {
            throw new RpcException(ErrorCode.FORBIDDEN, "app " + app.name() + " may not publish " + id.dataId());
        }
        return app.name();
    }

    /** The app a subscriber of {@code id} is stamped with, as {@link #appToPublish}. */
    public String appToSubscribe(String connectionId, DataInfoId id, String claimedApp) {
        AppCredentials.App app = requireApp(connectionId);
        if (app == null) {
            return claimedApp;
        }
        if (!app.maySubscribe(id.dataId())) {
            throw new RpcException(ErrorCode.FORBIDDEN, "app " + app.name() + " may not subscribe to " + id.dataId());
        }
        return app.name();
    }

    /**
     * The connection's authenticated app; null with authentication off. UNAUTHENTICATED if it
     * has not authenticated, or its app was removed from the apps file since.
     */
    public AppCredentials.App requireApp(String connectionId) {
        if (apps == null) {
            return null;
        }
        String accessKey = accessKeyOfConnection.get(connectionId);
        AppCredentials.App app = apps.current().byAccessKey(accessKey);
        if (app == null) {
            throw new RpcException(ErrorCode.UNAUTHENTICATED, accessKey == null
                    ? "authentication required: this session accepts only clients with app credentials "
                            + "(RegistryClientConfig credentials, registry-cli --credentials)"
                    : "authentication no longer valid: the app's access key was removed");
        }
        return app;
    }

    /** The connection closed. */
    public void forget(String connectionId) {
        accessKeyOfConnection.remove(connectionId);
    }
}
