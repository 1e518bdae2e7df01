package dev.registry.common.rpc;

import dev.registry.common.protocol.WireClasses;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Bench-only: opens client connections that run the real client pipeline (frames, Hessian,
 * heartbeats every 2 s, idle close after 6 s, as {@code RegistryClient} does) from a chosen
 * local source address, many connections per event loop. {@link RpcClient} cannot bind a source
 * address, and one {@code RegistryClient} per connection would cost four threads each, so the
 * connection scenario uses this. Lives in the RPC package to reach the package-private pipeline.
 */
public final class SourceBoundConnector {
    private final Bootstrap bootstrap;

    public SourceBoundConnector(EventLoopGroup io, ExecutorService workers) {
        RpcConfig config = RpcConfig.clientDefaults().withHeartbeat(Duration.ofSeconds(2), Duration.ofSeconds(6));
        RpcMetrics metrics = new RpcMetrics("bench-connections");
        HandlerRegistry handlers = new HandlerRegistry();
        ConnectionListener listener = new ConnectionListener() { };
        this.bootstrap = new Bootstrap().group(io).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        RpcPipeline.install(ch, config, WireClasses.serializer(), handlers, listener, workers, metrics);
                    }
                });
    }

    /** Completes with the channel's close future once connected. */
    public CompletableFuture<ChannelFuture> connect(InetSocketAddress remote, InetSocketAddress local) {
        CompletableFuture<ChannelFuture> result = new CompletableFuture<>();
        bootstrap.connect(remote, local).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                result.complete(f.channel().closeFuture());
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }
}
