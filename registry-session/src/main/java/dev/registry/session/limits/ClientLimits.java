package dev.registry.session.limits;

import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-connection caps of a session's client ports: how many publishers and subscribers one
 * connection may hold, and how many registration requests (register, update, unregister) it may
 * send per second (a token bucket: {@code requestsPerSecond} sustained, {@code burst} at once).
 * One client cannot exhaust a session's memory, nor flood a slot leader with writes that starve
 * the reconciliation of everybody else's. Refusals are clear errors: a cap is BAD_REQUEST (it
 * will not pass by retrying), the rate UNAVAILABLE (retry later). Thread-safe; the clock is
 * injected.
 */
public final class ClientLimits {

    /**
     * @param maxConnections              client connections the session's client port accepts at once (0 = no
     *                                    limit); a connection beyond is closed at once and the client moves on
     * @param maxQueuedPerConnection      requests of one connection waiting for a handler (0 = no limit); beyond,
     *                                    UNAVAILABLE instead of an endless queue
     * @param maxPublishersPerConnection  publishers one connection may hold (0 = no limit)
     * @param maxSubscribersPerConnection subscribers one connection may hold (0 = no limit)
     * @param requestsPerSecond           sustained registration requests per connection (0 = no limit)
     * @param burst                       requests a quiet connection may send at once
     */
    public record Settings(int maxConnections, int maxQueuedPerConnection, int maxPublishersPerConnection,
                           int maxSubscribersPerConnection, int requestsPerSecond, int burst) {
        public Settings {
            if (maxConnections < 0 || maxQueuedPerConnection < 0 || maxPublishersPerConnection < 0 || maxSubscribersPerConnection < 0 || requestsPerSecond < 0) {
                throw new IllegalArgumentException("client limits must be 0 (none) or positive");
            }
            if (requestsPerSecond > 0 && burst < 1) {
                throw new IllegalArgumentException("burst must be at least 1 with a rate limit");
            }
        }

        public static Settings defaults() {
            return new Settings(50_000, 4_096, 100_000, 100_000, 5_000, 10_000);
        }

        public static Settings unlimited() {
            return new Settings(0, 0, 0, 0, 0, 1);
        }
    }

    /** Tokens of one connection; guarded by itself. */
    private static final class Bucket {
        double tokens;
        long refilledAt;
    }

    private final Settings settings;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public ClientLimits(Settings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
    }

    public Settings settings() {
        return settings;
    }

    /** Takes one request of the connection's rate; UNAVAILABLE when it is spent. */
    public void checkRate(String connectionId) {
        if (settings.requestsPerSecond() == 0) {
            return;
        }
        Bucket b = buckets.computeIfAbsent(connectionId, id -> {
            Bucket fresh = new Bucket();
            fresh.tokens = settings.burst();
            fresh.refilledAt = nanoClock.getAsLong();
            return fresh;
        });
        synchronized (b) {
            long now = nanoClock.getAsLong();
            b.tokens = Math.min(settings.burst(), b.tokens + (now - b.refilledAt) / 1e9 * settings.requestsPerSecond());
            b.refilledAt = now;
            if (b.tokens < 1) {
                throw new RpcException(ErrorCode.UNAVAILABLE, "rate limit: at most " + settings.requestsPerSecond()
                        + " registration requests per second per connection; retry later");
            }
            b.tokens -= 1;
        }
    }

    /** BAD_REQUEST if a connection holding {@code held} publishers may not add one more. */
    public void checkPublishers(int held) {
        check(held, settings.maxPublishersPerConnection(), "publishers");
    }

    /** BAD_REQUEST if a connection holding {@code held} subscribers may not add one more. */
    public void checkSubscribers(int held) {
        check(held, settings.maxSubscribersPerConnection(), "subscribers");
    }

    private static void check(int held, int max, String what) {
        if (max > 0 && held >= max) {
            throw new RpcException(ErrorCode.BAD_REQUEST, "limit: at most " + max + " " + what
                    + " per connection; use another connection or unregister some");
        }
    }

    /** The connection closed: its bucket goes. */
    public void forget(String connectionId) {
        buckets.remove(connectionId);
    }
}
