package dev.registry.common.rpc;

import dev.registry.common.serialize.Serializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A listening RPC endpoint. Start once, close once; closing drops every connection. */
public final class RpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    private final String name;
    private final RpcConfig config;
    private final Serializer serializer;
    private final HandlerRegistry handlers;
    private final ConnectionListener listener;
    private final RpcMetrics metrics;
    private final Map<RpcConnection, Boolean> connections = new ConcurrentHashMap<>();
    private EventLoopGroup boss;
    private EventLoopGroup io;
    private ExecutorService workers;
    private Channel serverChannel;
    private boolean closed;

    public RpcServer(String name, RpcConfig config, Serializer serializer, HandlerRegistry handlers,
                     ConnectionListener listener) {
        this.name = name;
        this.config = config;
        this.serializer = serializer;
        this.handlers = handlers;
        this.listener = listener;
        this.metrics = new RpcMetrics(name);
    }

    /** Binds and returns the bound address (port 0 picks a free port). */
    public synchronized InetSocketAddress start(String host, int port) {
        if (serverChannel != null) {
            throw new IllegalStateException(name + " already started");
        }
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true));
        io = new NioEventLoopGroup(Math.min(4, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory(name + "-io", true));
        workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory(name + "-worker", true));
        ConnectionListener tracking = new ConnectionListener() {
            @Override
            public void onConnected(RpcConnection c) {
                connections.put(c, Boolean.TRUE);
                listener.onConnected(c);
            }

            @Override
            public void onDisconnected(RpcConnection c) {
                connections.remove(c);
                listener.onDisconnected(c);
            }
        };
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        RpcPipeline.install(ch, config, serializer, handlers, tracking, workers, metrics);
                    }
                });
        try {
            serverChannel = bootstrap.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the BindException unchecked, undeclared
            close();
            throw new IllegalStateException(name + " cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("{} listening on {}", name, serverChannel.localAddress());
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public Collection<RpcConnection> connections() {
        return List.copyOf(connections.keySet());
    }

    public RpcMetrics metrics() {
        return metrics;
    }

    /** Stops accepting new connections but keeps the existing ones (for draining). */
    public synchronized void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }

    /** Idempotent: a second call (e.g. stop, then a shutdown hook) does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        for (RpcConnection c : connections.keySet()) {
            c.close();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (io != null) {
            io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
