package dev.registry.common.rpc;

import io.netty.handler.ssl.SslHandler;
import dev.registry.common.serialize.Serializer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Opens outbound connections that share one event-loop group and one worker pool. The
 * handler registry serves requests the remote side sends back (pushes, notifications).
 */
public final class RpcClient implements AutoCloseable {
    private static final AttributeKey<RpcConnection> CONNECTION = AttributeKey.valueOf("registry.rpcConnection");

    private final String name;
    private final RpcConfig config;
    private final EventLoopGroup io;
    private final ExecutorService workers;
    private final Bootstrap bootstrap;
    /** To servers of this process that take in-process connections ({@link InProcessLinks}). */
    private final Bootstrap localBootstrap;
    private final RpcMetrics metrics;
    /** TLS towards servers, or null (plain TCP). */
    private final dev.registry.common.tls.TlsContext tls;
    /** The host and port a channel connects to: TLS names it (SNI, host-name verification). */
    private static final AttributeKey<InetSocketAddress> PEER = AttributeKey.valueOf("peer");

    public RpcClient(String name, RpcConfig config, Serializer serializer, HandlerRegistry handlers,
                     ConnectionListener listener) {
        this.name = name;
        this.config = config;
        this.metrics = new RpcMetrics(name);
        this.tls = config.tls() == null ? null : dev.registry.common.tls.TlsContext.forClient(config.tls());
        this.io = new NioEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory(name + "-io", true));
        this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory(name + "-worker", true));
        if (tls != null) {
            // A renewed certificate or CA is used for new connections within 10 s, without a restart.
            io.scheduleWithFixedDelay(tls::reloadIfChanged, 10, 10, TimeUnit.SECONDS);
        }
        this.bootstrap = new Bootstrap()
                .group(io)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress peer = ch.attr(PEER).get();
                        ch.attr(CONNECTION).set(RpcPipeline.install(ch, config, serializer, handlers, listener,
                                workers, metrics, tls == null || peer == null ? null
                                        : tls.newHandler(ch.alloc(), peer.getHostString(), peer.getPort())));
                    }
                });
        this.localBootstrap = new Bootstrap()
                .group(io)
                .channel(io.netty.channel.local.LocalChannel.class)
                .handler(new ChannelInitializer<io.netty.channel.local.LocalChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.local.LocalChannel ch) {
                        // Never leaves the process: no TLS.
                        ch.attr(CONNECTION).set(RpcPipeline.install(ch, config, serializer, handlers, listener,
                                workers, metrics, null));
                    }
                });
    }

    /**
     * Connects within the configured connect timeout; fails with {@link ErrorCode#CONNECTION_CLOSED}.
     * A server of this process that takes in-process connections is reached without a socket;
     * should that fail, by socket as any other.
     */
    public CompletableFuture<RpcConnection> connect(String host, int port) {
        io.netty.channel.local.LocalAddress inProcess = InProcessLinks.lookup(host, port);
        if (inProcess == null) {
            return connectBySocket(host, port);
        }
        CompletableFuture<RpcConnection> result = new CompletableFuture<>();
        ChannelFuture f;
        try {
            f = localBootstrap.clone().attr(RpcConnection.PEER, new InetSocketAddress(host, port)).connect(inProcess);
        } catch (RuntimeException e) {
            return connectBySocket(host, port);
        }
        f.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                result.complete(done.channel().attr(CONNECTION).get());
            } else {
                connectBySocket(host, port).whenComplete((c, error) -> {
                    if (error == null) {
                        result.complete(c);
                    } else {
                        result.completeExceptionally(error);
                    }
                });
            }
        });
        return result;
    }

    private CompletableFuture<RpcConnection> connectBySocket(String host, int port) {
        CompletableFuture<RpcConnection> result = new CompletableFuture<>();
        ChannelFuture f;
        try {
            InetSocketAddress peer = InetSocketAddress.createUnresolved(host, port);
            f = bootstrap.clone().attr(PEER, peer).connect(new InetSocketAddress(host, port));
        } catch (RuntimeException e) {
            result.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED,
                    "cannot connect to " + host + ":" + port + ": " + e.getMessage()));
            return result;
        }
        f.addListener((ChannelFuture done) -> {
            if (done.isSuccess() && tls != null) {
                // Ready once the TLS handshake succeeded; a refused certificate is a clear failure, not a hang.
                SslHandler ssl = done.channel().pipeline().get(SslHandler.class);
                ssl.handshakeFuture().addListener(hs -> {
                    if (hs.isSuccess()) {
                        result.complete(done.channel().attr(CONNECTION).get());
                    } else {
                        done.channel().close();
                        result.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED, "TLS handshake with "
                                + host + ":" + port + " failed: " + rootMessage(hs.cause())));
                    }
                });
            } else if (done.isSuccess()) {
                result.complete(done.channel().attr(CONNECTION).get());
            } else {
                result.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED,
                        "cannot connect to " + host + ":" + port + ": " + done.cause().getMessage()));
            }
        });
        return result;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** A scheduler for reconnect delays and similar light timers (runs on an I/O thread). */
    public ScheduledExecutorService scheduler() {
        return io;
    }

    public RpcConfig config() {
        return config;
    }

    public RpcMetrics metrics() {
        return metrics;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
    }
}
