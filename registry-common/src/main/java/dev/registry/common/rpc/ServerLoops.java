package dev.registry.common.rpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads of one listening port: an accept loop, I/O loops (never blocked by handlers)
 * and a worker pool that runs the handlers. Every server port of the registry (our RPC, the
 * SOFARegistry Bolt port) starts and stops them the same way. Close once.
 */
public final class ServerLoops implements AutoCloseable {
    private final String name;
    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final ExecutorService workers;

    /** @param name thread names start with it ({@code name-accept}, {@code name-io}, {@code name-worker}) */
    public ServerLoops(String name, int workerThreads) {
        this.name = name;
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true));
        io = new NioEventLoopGroup(Math.min(4, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory(name + "-io", true));
        workers = new ThreadPoolExecutor(workerThreads, workerThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory(name + "-worker", true));
    }

    /** A server bootstrap on these loops, with the listen options every port uses. */
    public ServerBootstrap bootstrap() {
        return new ServerBootstrap()
                .group(boss, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true);
    }

    /** A server bootstrap for in-process connections (a Netty local channel), on these loops. */
    public ServerBootstrap localBootstrap() {
        return new ServerBootstrap().group(boss, io).channel(io.netty.channel.local.LocalServerChannel.class);
    }

    /** Where handlers run. */
    public ExecutorService workers() {
        return workers;
    }

    /**
     * Binds {@code bootstrap} (port 0 picks a free port); on failure closes these loops and
     * throws an IllegalStateException naming the port and the address.
     */
    public Channel bind(ServerBootstrap bootstrap, String host, int port) {
        try {
            return bootstrap.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows a BindException unchecked and undeclared
            close();
            throw new IllegalStateException(name + " cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
    }
}
