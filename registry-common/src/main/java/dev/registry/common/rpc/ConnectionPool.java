package dev.registry.common.rpc;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One connection per peer address ({@code host:port}), opened on demand, initialised by
 * {@code onConnect} (e.g. an introduction call) before use, and forgotten when it closes so
 * the next use reconnects. Thread-safe.
 */
public final class ConnectionPool implements AutoCloseable {
    private final RpcClient client;
    private final Function<RpcConnection, CompletableFuture<?>> onConnect;
    private final Consumer<String> onNewConnection;
    private final Consumer<String> onUnreachable;
    private final Map<String, CompletableFuture<RpcConnection>> links = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param onConnect       runs on each new connection before it is handed out
     * @param onNewConnection told the address after each new connection is ready
     */
    public ConnectionPool(RpcClient client, Function<RpcConnection, CompletableFuture<?>> onConnect,
                          Consumer<String> onNewConnection) {
        this(client, onConnect, onNewConnection, address -> { });
    }

    /**
     * @param onUnreachable told the address when a connection to it could not be opened, or when
     *                      an open one closed without this pool closing it (the peer's process
     *                      died, or the network between us failed): e.g. to report it to meta
     */
    public ConnectionPool(RpcClient client, Function<RpcConnection, CompletableFuture<?>> onConnect,
                          Consumer<String> onNewConnection, Consumer<String> onUnreachable) {
        this.client = client;
        this.onConnect = onConnect;
        this.onNewConnection = onNewConnection;
        this.onUnreachable = onUnreachable;
    }

    /** The connection to {@code address}, opening it if needed. */
    public CompletableFuture<RpcConnection> get(String address) {
        if (closed) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "connection pool closed"));
        }
        CompletableFuture<RpcConnection> created;
        while (true) {
            CompletableFuture<RpcConnection> existing = links.get(address);
            if (existing != null && (!existing.isDone() || isUsable(existing))) {
                return existing;
            }
            created = new CompletableFuture<>();
            boolean installed = existing == null ? links.putIfAbsent(address, created) == null
                    : links.replace(address, existing, created);
            if (installed) {
                break;
            }
        }
        CompletableFuture<RpcConnection> mine = created;
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (RuntimeException e) {
            links.remove(address, mine);
            mine.completeExceptionally(new RpcException(ErrorCode.BAD_REQUEST, "bad peer address '" + address + "'"));
            return mine;
        }
        CompletableFuture<RpcConnection> connected = client.connect(address.substring(0, colon), port);
        connected.whenComplete((conn, error) -> {
            if (error != null && !closed) {
                onUnreachable.accept(address);
            }
        });
        connected
                .thenCompose(conn -> onConnect.apply(conn).thenApply(ok -> conn).whenComplete((ok, e) -> {
                    if (e != null) {
                        conn.close();
                    }
                }))
                .whenComplete((conn, error) -> {
                    if (error != null) {
                        links.remove(address, mine);
                        mine.completeExceptionally(error);
                        return;
                    }
                    conn.closeFuture().thenRun(() -> {
                        // Still ours: neither retainOnly nor close closed it, so the peer or the network did.
                        if (links.remove(address, mine) && !closed) {
                            onUnreachable.accept(address);
                        }
                    });
                    mine.complete(conn);
                    onNewConnection.accept(address);
                });
        return mine;
    }

    /** A live connection to {@code address} exists right now. */
    public boolean isConnected(String address) {
        CompletableFuture<RpcConnection> f = links.get(address);
        return f != null && f.isDone() && isUsable(f);
    }

    /** Closes connections to addresses not in {@code keep}. */
    public void retainOnly(Set<String> keep) {
        for (String known : links.keySet()) {
            if (!keep.contains(known)) {
                CompletableFuture<RpcConnection> f = links.remove(known);
                if (f != null) {
                    f.thenAccept(RpcConnection::close);
                }
            }
        }
    }

    private static boolean isUsable(CompletableFuture<RpcConnection> f) {
        return !f.isCompletedExceptionally() && f.join().isActive();
    }

    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<RpcConnection> f : links.values()) {
            f.thenAccept(RpcConnection::close);
        }
        links.clear();
    }
}
