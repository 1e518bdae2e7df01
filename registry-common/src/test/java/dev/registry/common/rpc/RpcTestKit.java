package dev.registry.common.rpc;

import dev.registry.common.rpc.TestMessages.Echo;
import dev.registry.common.rpc.TestMessages.EchoReply;
import dev.registry.common.rpc.TestMessages.Forbidden;
import dev.registry.common.rpc.TestMessages.Invalid;
import dev.registry.common.rpc.TestMessages.Note;
import dev.registry.common.rpc.TestMessages.NotMine;
import dev.registry.common.rpc.TestMessages.Stall;
import dev.registry.common.rpc.TestMessages.Unhandled;
import dev.registry.common.serialize.ClassAllowList;
import dev.registry.common.serialize.HessianSerializer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers, clients and connections for one test, closed in reverse order by {@link #close()}
 * (call it from {@code @AfterEach}). Servers bind 127.0.0.1 port 0 unless told otherwise.
 */
final class RpcTestKit implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    /** What the test servers and clients may deserialize: everything except {@link Forbidden}. */
    static final ClassAllowList ALLOWED = ClassAllowList.of(List.of(RpcError.class, Echo.class, EchoReply.class,
            Note.class, Stall.class, Invalid.class, NotMine.class, Unhandled.class));
    /** A peer that can also write (and read) {@link Forbidden}. */
    static final ClassAllowList PERMISSIVE = ALLOWED.plus(List.of(Forbidden.class));

    final HessianSerializer serializer = new HessianSerializer(ALLOWED);
    /** One-way notes received by any server of this kit, in arrival order. */
    final BlockingQueue<String> notes = new LinkedBlockingQueue<>();
    /** Echo requests that reached a handler, by any server of this kit. */
    final AtomicInteger echoesHandled = new AtomicInteger();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** Server config: small frames so the limit is cheap to hit, a few workers. */
    static RpcConfig serverConfig() {
        return RpcConfig.serverDefaults().withMaxFrameBytes(64 * 1024).withWorkerThreads(4);
    }

    /** Client config: no heartbeats, so only tests that want them get them. */
    static RpcConfig clientConfig() {
        return RpcConfig.clientDefaults().withHeartbeat(Duration.ZERO, Duration.ofSeconds(15))
                .withMaxFrameBytes(64 * 1024);
    }

    /** Handlers for every test message except {@link Unhandled}. */
    HandlerRegistry handlers() {
        return new HandlerRegistry()
                .register(Echo.class, (connection, echo) -> {
                    echoesHandled.incrementAndGet();
                    EchoReply reply = new EchoReply(echo.seq(), echo.text());
                    if (echo.delayMillis() <= 0) {
                        return reply;
                    }
                    return CompletableFuture.supplyAsync(() -> reply,
                            CompletableFuture.delayedExecutor(echo.delayMillis(), TimeUnit.MILLISECONDS));
                })
                .register(Note.class, (connection, note) -> {
                    notes.add(note.text());
                    return null;
                })
                .register(Stall.class, (connection, stall) -> new CompletableFuture<>())
                .register(Invalid.class, (connection, invalid) -> {
                    if (invalid.async()) {
                        return CompletableFuture.failedFuture(new IllegalArgumentException(invalid.reason()));
                    }
                    throw new IllegalArgumentException(invalid.reason());
                })
                .register(NotMine.class, (connection, notMine) -> {
                    throw new RpcException(ErrorCode.NOT_LEADER, "slot moved", notMine.epoch());
                });
    }

    RpcServer startServer() {
        return startServer(serverConfig(), 0);
    }

    RpcServer startServer(RpcConfig config, int port) {
        RpcServer server = new RpcServer("test-server", config, serializer, handlers(), new ConnectionListener() {
        });
        resources.push(server);
        server.start(HOST, port);
        return server;
    }

    RpcClient client() {
        return client(clientConfig(), ALLOWED);
    }

    RpcClient client(RpcConfig config, ClassAllowList allowList) {
        RpcClient client = new RpcClient("test-client", config, new HessianSerializer(allowList), new HandlerRegistry(),
                new ConnectionListener() {
                });
        resources.push(client);
        return client;
    }

    RpcConnection connect(RpcClient client, RpcServer server) {
        RpcConnection connection = result(client.connect(HOST, server.port()));
        resources.push(connection::close);
        return connection;
    }

    RawFrames raw(RpcServer server) {
        RawFrames raw = RawFrames.connect(server.address());
        resources.push(raw);
        return raw;
    }

    /** Registers anything else to close at teardown (closed before what was created earlier). */
    <T extends AutoCloseable> T closeLater(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Proves the server still serves ordinary clients: a fresh connection, one echo call. */
    void assertServes(RpcServer server) {
        RpcClient client = client();
        RpcConnection connection = connect(client, server);
        EchoReply reply = result(connection.call(new Echo(7, "still there?"), EchoReply.class));
        assertThat(reply.seq()).isEqualTo(7);
        assertThat(reply.text()).isEqualTo("still there?");
    }

    /** Waits (bounded) for a future that must succeed. */
    static <T> T result(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("future did not complete normally", e);
        }
    }

    /** Waits (bounded) for a future that must fail with an RpcException, and returns it. */
    static RpcException failure(CompletableFuture<?> future) {
        try {
            Object value = future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected an RpcException but the call returned " + value);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (TimeoutException e) {
            throw new AssertionError("the call neither completed nor failed within 10 s", e);
        } catch (ExecutionException | CompletionException e) {
            RpcException rpc = RpcException.unwrap(e);
            if (rpc == null) {
                throw new AssertionError("expected an RpcException", e);
            }
            return rpc;
        }
    }

    @Override
    public void close() {
        AssertionError failure = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new AssertionError("teardown failed");
                }
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
