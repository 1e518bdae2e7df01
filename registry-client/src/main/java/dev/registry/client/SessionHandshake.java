package dev.registry.client;

import com.google.common.net.HostAndPort;
import dev.registry.common.auth.AuthSignature;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.AuthRequest;
import dev.registry.common.protocol.AuthResult;
import dev.registry.common.protocol.ClientHello;
import dev.registry.common.protocol.RegisterAck;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.SessionList;
import dev.registry.common.protocol.SessionListRequest;
import dev.registry.common.protocol.UnregisterPublisherRequest;
import dev.registry.common.rpc.Addresses;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What a new session connection goes through before it counts as ready: the app's credentials
 * (if configured), the hello, then every publication, subscription and catalog watch again with
 * the same registerIds. Owns what that learns of the session (this host's address, whether it
 * takes publish batches, a refusal of the credentials) and the link losses it reports.
 * Threading: runs on every (re)connect, callbacks on the connection's I/O thread; fields are volatile or concurrent.
 */
final class SessionHandshake {
    private static final Logger log = LoggerFactory.getLogger(SessionHandshake.class);
    /** Most publishes sent in one frame to a session that takes batches. */
    private static final int MAX_PUBLISH_BATCH = 256;

    private final RegistryClientConfig config;
    private final String clientId;
    /** Where the auth nonces come from (the client's id generator). */
    private final RegisterIds ids;
    private final Map<String, PublicationImpl> publications;
    private final Map<String, SubscriptionImpl> subscriptions;
    private final CatalogWatches catalogWatches;
    /** Takes the sessions a session listed (see {@link RegistryClientConfig#discoverSessions()}). */
    private final Consumer<List<HostAndPort>> discovered;
    private final BooleanSupplier clientClosed;
    private final LinkLosses linkLosses = new LinkLosses(System::nanoTime);
    /** Connections a session asked to leave: their close is a move, not a lost link. */
    private final Set<RpcConnection> moving = ConcurrentHashMap.newKeySet();
    /**
     * Publications unregistered while no connection was up, by registerId: sent with the next
     * handshake, since a session that died meanwhile left them with their slot leader.
     */
    private final Map<String, UnregisterPublisherRequest> pendingWithdrawals = new ConcurrentHashMap<>();
    /** This host's address on the last session connection; null before the first. */
    private volatile String localIp;
    /** Batches the publishes of the current connection, if its session takes batches. */
    private volatile PublishBatcher batcher;
    /** The last session's refusal of this client's credentials; null once one accepted them. */
    private volatile RegistryException authFailure;

    SessionHandshake(RegistryClientConfig config, String clientId, RegisterIds ids,
                     Map<String, PublicationImpl> publications,
                     Map<String, SubscriptionImpl> subscriptions, CatalogWatches catalogWatches,
                     Consumer<List<HostAndPort>> discovered, BooleanSupplier clientClosed) {
        this.config = config;
        this.clientId = clientId;
        this.ids = ids;
        this.publications = publications;
        this.subscriptions = subscriptions;
        this.catalogWatches = catalogWatches;
        this.discovered = discovered;
        this.clientClosed = clientClosed;
    }

    /** The configured IP, else this host's address on the session connection (not a balancer's, as the session would see). */
    String ip() {
        return config.ip() != null ? config.ip() : localIp;
    }

    /** The publish batcher of the last connection whose session takes batches; check its connection. */
    PublishBatcher batcher() {
        return batcher;
    }

    RegistryException authFailure() {
        return authFailure;
    }

    /** The session asked this connection to leave: its close is not a lost link. */
    void markMoving(RpcConnection conn) {
        moving.add(conn);
    }

    /** The connection's initialisation: completes once everything is registered there (then it counts as ready). */
    CompletableFuture<?> registerAll(RpcConnection conn) {
        if (config.accessKey() == null) {
            return registerAllAuthenticated(conn);
        }
        // First prove the app's credentials: a signature over a fresh timestamp and nonce, never the secret.
        long now = System.currentTimeMillis();
        String nonce = ids.nextId();
        return conn.call(new AuthRequest(config.accessKey(), now, nonce,
                        AuthSignature.sign(config.secretKey(), config.accessKey(), now, nonce)),
                        AuthResult.class, config.requestTimeout())
                .handle((result, error) -> {
                    if (error != null) {
                        RegistryException refused = RegistryException.failure(
                                "authentication with session " + conn.remoteAddress(), error, config.requestTimeout());
                        authFailure = refused; // the reconnect logs it, once per attempt
                        throw new CompletionException(refused);
                    }
                    authFailure = null;
                    return result;
                })
                .thenCompose(result -> registerAllAuthenticated(conn));
    }

    private CompletableFuture<?> registerAllAuthenticated(RpcConnection conn) {
        localIp = conn.localAddress().getAddress().getHostAddress();
        // First: who this is and which links it lost lately (a session damps a flapping client). A
        // call, not a one-way message: its answer proves the session took the connection (a full
        // session closes it at once), so the connection is not reported ready before that.
        CompletableFuture<Object> hello = conn.call(new ClientHello(clientId, linkLosses.agesMillis())
                        .withFeatures(ClientHello.FEATURE_PUSH_DELTAS),
                config.requestTimeout()).exceptionally(error -> {
                    RpcException r = RpcException.unwrap(error);
                    if (r != null && r.code() == ErrorCode.NO_HANDLER) {
                        return null; // a session of an older build: no damping there, nothing else lost
                    }
                    throw new CompletionException(error);
                }).thenApply(answer -> {
                    // Set before the connection is reported ready: every publish on it can be batched.
                    if (answer instanceof Integer features && (features & ClientHello.SESSION_REGISTER_BATCHES) != 0) {
                        batcher = new PublishBatcher(conn, config.requestTimeout(),
                                Math.min(config.maxPendingRegistrations(), MAX_PUBLISH_BATCH));
                    }
                    return answer;
                });
        List<CompletableFuture<?>> all = new ArrayList<>();
        all.add(hello);
        // Publications go once the hello answered whether the session takes batches, and on the I/O
        // thread: a withdrawal issued meanwhile on another thread is written after them, not before.
        all.add(hello.thenComposeAsync(answer -> reRegisterPublications(conn), conn.ioExecutor()));
        for (SubscriptionImpl s : subscriptions.values()) {
            all.add(conn.call(s.toRequest(config, ip()), RegisterAck.class, config.requestTimeout()));
        }
        all.addAll(catalogWatches.rewatchAll(conn, config.requestTimeout()));
        if (!publications.isEmpty() || !subscriptions.isEmpty()) {
            log.info("re-registering {} publishers and {} subscribers with session {}", publications.size(),
                    subscriptions.size(), conn.remoteAddress());
        }
        if (config.discoverSessions()) {
            learnSessions(conn);
        }
        CompletableFuture<Void> done = CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
        // A link counts as lost only once it was up: a connect the network resets at once is a failed attempt.
        done.thenRun(() -> conn.closeFuture().thenRun(() -> {
            if (!moving.remove(conn) && !clientClosed.getAsBoolean()) {
                linkLosses.record();
            }
        }));
        return done;
    }

    /** Sends this unregister through the next connection's handshake (see {@link #pendingWithdrawals}). */
    void withdrawLater(UnregisterPublisherRequest unregister) {
        pendingWithdrawals.put(unregister.registerId(), unregister);
    }

    /**
     * Sends the withdrawals of {@link #pendingWithdrawals}. Each is forgotten once a session
     * answered it (a refusal too: it would be refused again); one lost with this connection is
     * kept for the next. They never fail the handshake.
     */
    private CompletableFuture<?> sendPendingWithdrawals(RpcConnection conn) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (UnregisterPublisherRequest u : pendingWithdrawals.values()) {
            calls.add(conn.call(u, config.requestTimeout()).handle((answer, error) -> {
                if (error == null || conn.isActive()) {
                    pendingWithdrawals.remove(u.registerId(), u);
                }
                if (error != null) {
                    log.info("withdrawal of publisher {} of {} through session {} failed: {}", u.registerId(),
                            u.dataInfoId(), conn.remoteAddress(), error.getMessage());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
    }

    private CompletableFuture<?> reRegisterPublications(RpcConnection conn) {
        CompletableFuture<?> withdrawals = sendPendingWithdrawals(conn);
        return CompletableFuture.allOf(withdrawals, reRegisterPublicationsOnly(conn));
    }

    private CompletableFuture<?> reRegisterPublicationsOnly(RpcConnection conn) {
        List<Publisher> all = new ArrayList<>(publications.size());
        for (PublicationImpl p : publications.values()) {
            all.add(p.toReRegistration(config, ip()).publisher());
        }
        PublishBatcher b = batcher;
        if (b != null && b.connection() == conn) {
            return PublishBatcher.registerAll(conn, all, config.requestTimeout(), MAX_PUBLISH_BATCH);
        }
        List<CompletableFuture<?>> calls = new ArrayList<>(all.size());
        for (Publisher p : all) {
            calls.add(conn.call(new RegisterPublisherRequest(p), RegisterAck.class, config.requestTimeout()));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
    }

    /** Asks the session for every live session: reachable even when the configured addresses (a balancer) are not. */
    private void learnSessions(RpcConnection conn) {
        conn.call(new SessionListRequest(), SessionList.class, config.requestTimeout()).whenComplete((list, error) -> {
            if (error != null) {
                log.debug("session {} did not list the sessions: {}", conn.remoteAddress(), error.getMessage());
                return;
            }
            List<HostAndPort> sessions = new ArrayList<>();
            for (String s : list.sessions()) {
                HostAndPort a = Addresses.hostAndPortOrNull(s);
                if (a != null) {
                    sessions.add(a);
                }
            }
            discovered.accept(sessions);
        });
    }
}
