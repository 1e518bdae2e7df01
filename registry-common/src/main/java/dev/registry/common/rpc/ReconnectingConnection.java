package dev.registry.common.rpc;

import com.google.common.net.HostAndPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Keeps one connection open to any of a list of addresses: on loss it moves to the next
 * address after a backoff delay and calls {@code onConnected} (e.g. to re-register state)
 * before reporting itself ready again. Thread-safe.
 *
 * <p>Addresses learnt later ({@link #setDiscovered}) are tried after the configured ones, so a
 * client given only a load balancer keeps going through it while it works and still finds a
 * server when it does not. {@link #moveTo} makes the next attempt go to one given address.
 *
 * <p>An unexpected exception (a bug, e.g. in {@code onConnected}) is logged at WARN with its
 * stack trace and counted ({@link #unexpectedFailures}); the connection is closed and the next
 * attempt follows, so it never stays open but not ready, nor stops reconnecting.
 */
public final class ReconnectingConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReconnectingConnection.class);

    private final RpcClient client;
    private final List<HostAndPort> addresses;
    private final Backoff backoff;
    private final Function<RpcConnection, CompletableFuture<?>> onConnected;
    private final Object lock = new Object();
    private volatile RpcConnection current;
    private volatile boolean ready;
    private volatile boolean closed;
    /** Learnt addresses not among the configured ones; guarded by lock. */
    private List<HostAndPort> discovered = List.of();
    /** One-shot target of the next attempt; guarded by lock. */
    private HostAndPort preferred;
    private int nextAddress;
    /** System.nanoTime() of the loss or first failed attempt since the last ready connection; guarded by lock. */
    private long troubleSince;
    private boolean inTrouble;
    /** A failed connect was logged at INFO since the last ready connection (the next ones at DEBUG); guarded by lock. */
    private boolean connectFailureReported;
    private final LongAdder unexpectedFailures = new LongAdder();
    private CompletableFuture<RpcConnection> firstReady = new CompletableFuture<>();

    /**
     * @param onConnected runs on every (re)connect before the connection counts as ready; a
     *                    failed future closes the connection and triggers another attempt
     */
    public ReconnectingConnection(RpcClient client, List<HostAndPort> addresses, Backoff backoff, int startIndex,
                                  Function<RpcConnection, CompletableFuture<?>> onConnected) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one address is needed");
        }
        this.client = client;
        this.addresses = List.copyOf(addresses);
        this.backoff = backoff;
        this.onConnected = onConnected;
        this.nextAddress = Math.floorMod(startIndex, addresses.size());
    }

    /** Starts connecting; the future completes on the first ready connection. */
    public CompletableFuture<RpcConnection> start() {
        connectNext();
        return firstReady;
    }

    /** The ready connection, if any. */
    public Optional<RpcConnection> current() {
        RpcConnection c = current;
        return ready && c != null && c.isActive() ? Optional.of(c) : Optional.empty();
    }

    /**
     * The open connection even while it is still being initialised (re-registering). Anything
     * sent on it arrives after what the initialisation sent before: for withdrawals that must
     * follow a re-registration that may already be on its way.
     */
    public Optional<RpcConnection> latestActive() {
        RpcConnection c = current;
        return c != null && c.isActive() ? Optional.of(c) : Optional.empty();
    }

    public boolean isReady() {
        return current().isPresent();
    }

    /** Calls over the current connection, or fails at once with CONNECTION_CLOSED. */
    public CompletableFuture<Object> call(Object request, Duration timeout) {
        Optional<RpcConnection> c = current();
        if (c.isEmpty()) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.CONNECTION_CLOSED,
                    "not connected to any of " + addresses));
        }
        return c.get().call(request, timeout);
    }

    /** Closes the current connection so the next address is tried (e.g. to rebalance). */
    public void reconnect() {
        RpcConnection c = current;
        if (c != null) {
            c.close();
        }
    }

    /** Closes the current connection and tries {@code target} first; on failure the usual rotation goes on. */
    public void moveTo(HostAndPort target) {
        synchronized (lock) {
            preferred = target;
        }
        reconnect();
    }

    /** Servers learnt from a server (e.g. every session): tried after the configured addresses. */
    public void setDiscovered(List<HostAndPort> servers) {
        synchronized (lock) {
            discovered = servers.stream().filter(a -> !addresses.contains(a)).distinct().toList();
        }
    }

    /** Configured addresses, then discovered ones. */
    public List<HostAndPort> knownAddresses() {
        synchronized (lock) {
            return rotationLocked();
        }
    }

    private List<HostAndPort> rotationLocked() {
        if (discovered.isEmpty()) {
            return addresses;
        }
        List<HostAndPort> all = new java.util.ArrayList<>(addresses);
        all.addAll(discovered);
        return all;
    }

    private void connectNext() {
        HostAndPort target;
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (preferred != null) {
                target = preferred;
                preferred = null;
            } else {
                List<HostAndPort> rotation = rotationLocked();
                nextAddress = nextAddress % rotation.size();
                target = rotation.get(nextAddress);
                nextAddress = (nextAddress + 1) % rotation.size();
            }
        }
        client.connect(target.getHost(), target.getPort()).whenComplete((conn, error) -> {
            try {
                onConnectAttempt(target, conn, error);
            } catch (RuntimeException e) {
                unexpected("connecting to " + target, e);
                abandon(conn);
            }
        });
    }

    private void onConnectAttempt(HostAndPort target, RpcConnection conn, Throwable error) {
        if (error != null) {
            boolean first;
            synchronized (lock) {
                first = !connectFailureReported && !closed;
                connectFailureReported = true;
            }
            if (String.valueOf(error.getMessage()).contains("TLS handshake")) {
                log.warn("{}", error.getMessage()); // a certificate problem: retrying will not fix it by itself
            } else if (first) {
                // Once per outage: the operator sees it, a server that stays down does not flood the log.
                log.info("cannot connect to {}: {}; retrying (until connected, further failures at DEBUG)", target,
                        error.getMessage());
            } else {
                log.debug("connect to {} failed: {}", target, error.getMessage());
            }
            scheduleRetry();
            return;
        }
        synchronized (lock) {
            if (closed) {
                conn.close();
                return;
            }
            current = conn;
            ready = false;
        }
        conn.closeFuture().thenRun(() -> onLost(conn));
        CompletableFuture<?> init;
        try {
            init = onConnected.apply(conn);
            if (init == null) {
                throw new IllegalStateException("onConnected returned no future");
            }
        } catch (RuntimeException e) {
            unexpected("initialising the connection to " + target, e);
            conn.close(); // its loss schedules the next attempt
            return;
        }
        init.whenComplete((ok, initError) -> {
            try {
                onInitialised(target, conn, initError);
            } catch (RuntimeException e) {
                unexpected("initialising the connection to " + target, e);
                conn.close();
            }
        });
    }

    private void onInitialised(HostAndPort target, RpcConnection conn, Throwable initError) {
        if (initError != null) {
            if (conn.isActive()) {
                log.warn("initialising connection to {} failed: {}", target, initError.getMessage());
            } else { // the link went down meanwhile: a routine reconnect follows
                log.info("connection to {} closed while initialising; reconnecting", target);
            }
            conn.close();
            return;
        }
        CompletableFuture<RpcConnection> toComplete;
        synchronized (lock) {
            if (current != conn || !conn.isActive()) {
                return;
            }
            ready = true;
            inTrouble = false;
            connectFailureReported = false;
            // After a loss, the next configured address comes first (the balancer, if that is all).
            int configured = addresses.indexOf(target);
            nextAddress = configured >= 0 ? (configured + 1) % addresses.size() : 0;
            toComplete = firstReady;
        }
        log.info("connected to {}", target);
        toComplete.complete(conn);
    }

    /** A bug, not a failed connect: never swallowed, always counted. */
    private void unexpected(String where, RuntimeException e) {
        unexpectedFailures.increment();
        log.warn("unexpected failure {}; reconnecting", where, e);
    }

    /** After an unexpected failure of an attempt: drops its connection, if any, and makes the next attempt. */
    private void abandon(RpcConnection conn) {
        if (conn != null) {
            synchronized (lock) {
                if (current == conn) {
                    current = null; // so its loss (onLost) does not schedule a second attempt
                    ready = false;
                }
            }
            conn.close();
        }
        scheduleRetry();
    }

    private void onLost(RpcConnection conn) {
        synchronized (lock) {
            if (current != conn) {
                return;
            }
            current = null;
            ready = false;
            if (closed) {
                return;
            }
        }
        log.info("connection {} lost; reconnecting", conn);
        scheduleRetry();
    }

    private void scheduleRetry() {
        Duration delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            if (!inTrouble) {
                inTrouble = true;
                troubleSince = now;
            }
            // Paced by the time since the trouble began, not by the attempts: a link that flaps
            // (down 1.5 s, up 1 s) is caught in its first up time however many attempts failed.
            delay = backoff.delayAfter(Duration.ofNanos(now - troubleSince));
        }
        try {
            client.scheduler().schedule(this::connectNext, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("not reconnecting: scheduler stopped"); // the RpcClient is closing
        } catch (RuntimeException e) {
            unexpected("scheduling a reconnect", e);
            // Still retried, on the common pool's timer: a connection that stops retrying is lost for good.
            CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS).execute(this::connectNext);
        }
    }

    /** Unexpected exceptions (bugs) while connecting or initialising; each was logged at WARN with its stack trace. */
    public long unexpectedFailures() {
        return unexpectedFailures.sum();
    }

    @Override
    public void close() {
        RpcConnection c;
        synchronized (lock) {
            closed = true;
            c = current;
            current = null;
            ready = false;
        }
        if (c != null) {
            c.close();
        }
        firstReady.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED, "closed"));
    }
}
