package dev.registry.client;

import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.ReconnectingConnection;
import dev.registry.common.rpc.RpcException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Requests made while no session connection is ready: each is built and sent once one is (it
 * polls every 50 ms), or fails when the request timeout passes, the client closes, or a session
 * refused the credentials. Threading: polls run on the client's scheduler; no state of its own.
 */
final class ConnectionWait {
    private final ReconnectingConnection connection;
    private final ScheduledExecutorService scheduler;
    private final RegistryClientConfig config;
    private final Supplier<RegistryException> authFailure;
    private final BooleanSupplier clientClosed;

    ConnectionWait(ReconnectingConnection connection, ScheduledExecutorService scheduler, RegistryClientConfig config,
                   Supplier<RegistryException> authFailure, BooleanSupplier clientClosed) {
        this.connection = connection;
        this.scheduler = scheduler;
        this.config = config;
        this.authFailure = authFailure;
        this.clientClosed = clientClosed;
    }

    /** Calls {@code request.get()} on the connection once it is ready (built then, with what holds then). */
    CompletableFuture<Object> thenCall(Supplier<Object> request) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            RegistryException refused = authFailure.get();
            if (clientClosed.getAsBoolean()) {
                result.completeExceptionally(new RegistryException("client closed", null));
            } else if (refused != null && !connection.isReady()) {
                result.completeExceptionally(refused); // retrying will not help until the credentials change
            } else if (connection.isReady()) {
                connection.call(request.get(), config.requestTimeout()).whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(r);
                    }
                });
            } else if (System.nanoTime() > deadline) {
                result.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED,
                        "no session of " + config.sessionServers() + " reachable"));
            } else {
                scheduler.schedule(poll[0], 50, TimeUnit.MILLISECONDS);
            }
        };
        poll[0].run();
        return result;
    }
}
