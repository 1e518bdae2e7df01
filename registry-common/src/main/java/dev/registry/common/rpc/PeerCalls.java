package dev.registry.common.rpc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Request/response calls to peers by address: what replication needs of the network, and no
 * more. Production calls go through a {@link ConnectionPool}; the deterministic simulator
 * (registry-sim) delivers them through its simulated network on its one thread, so the same
 * replication code runs in both.
 */
@FunctionalInterface
public interface PeerCalls {
    /**
     * Sends {@code request} to {@code peer}; the future completes with its answer of {@code type},
     * or fails with an {@link RpcException} (unreachable, timed out, refused).
     */
    <T> CompletableFuture<T> call(String peer, Object request, Class<T> type, Duration timeout);

    /** Calls through the pool's connections (opened on first use). */
    static PeerCalls of(ConnectionPool pool) {
        return new PeerCalls() {
            @Override
            public <T> CompletableFuture<T> call(String peer, Object request, Class<T> type, Duration timeout) {
                return pool.get(peer).thenCompose(conn -> conn.call(request, type, timeout));
            }
        };
    }
}
