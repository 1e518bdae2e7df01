package dev.registry.bench.agent;

import dev.registry.common.rpc.SourceBoundConnector;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.RequestHeader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many idle client connections from a few threads, spread over several loopback source
 * addresses (each address has its own ephemeral port range). What a connection does is what an
 * idle client of that registry does:
 * <ul>
 *   <li>{@code ours}: the real client pipeline, heartbeat every 2 s;</li>
 *   <li>{@code zookeeper}: a ZooKeeper session (ConnectRequest, 30 s timeout), ping every 10 s.</li>
 * </ul>
 * Threading: Netty event loops; counters are concurrent.
 */
final class RawConnections implements AutoCloseable {
    private static final int ZK_SESSION_MS = 30_000;

    private final String protocol;
    private final InetSocketAddress remote;
    private final List<String> sources;
    private final EventLoopGroup io = new NioEventLoopGroup(2);
    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final Set<Channel> zkSessions = ConcurrentHashMap.newKeySet();

    RawConnections(String protocol, String address, List<String> sources) {
        this.protocol = protocol;
        int colon = address.lastIndexOf(':');
        this.remote = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        this.sources = sources;
    }

    /** Opens {@code count} connections, at most {@code inflight} handshakes at a time; returns how many opened. */
    int open(int count, int inflight, AtomicLong progress) throws InterruptedException {
        Semaphore permits = new Semaphore(inflight);
        AtomicLong opened = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        SourceBoundConnector ours = protocol.equals("ours") ? new SourceBoundConnector(io, workers) : null;
        Bootstrap zk = protocol.equals("zookeeper") ? zookeeperBootstrap(permits, opened, progress) : null;
        for (int i = 0; i < count; i++) {
            permits.acquire();
            InetSocketAddress local = new InetSocketAddress(sources.get(i % sources.size()), 0);
            if (ours != null) {
                ours.connect(remote, local).whenComplete((closeFuture, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    } else {
                        channels.add(closeFuture.channel());
                        closeFuture.addListener(f -> channels.remove(closeFuture.channel()));
                        opened.incrementAndGet();
                        progress.incrementAndGet();
                    }
                    permits.release();
                });
            } else {
                zk.connect(remote, local).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        failed.incrementAndGet();
                        permits.release();
                    } else {
                        channels.add(f.channel());
                        f.channel().closeFuture().addListener(x -> {
                            channels.remove(f.channel());
                            zkSessions.remove(f.channel());
                        });
                    }
                });
            }
        }
        permits.acquire(inflight); // every handshake finished
        permits.release(inflight);
        if (failed.get() > 0) {
            System.err.println(failed.get() + " connections failed");
        }
        return (int) opened.get();
    }

    private Bootstrap zookeeperBootstrap(Semaphore permits, AtomicLong opened, AtomicLong progress) {
        byte[] connect = frame(out -> new ConnectRequest(0, 0, ZK_SESSION_MS, 0, new byte[16], false)
                .serialize(BinaryOutputArchive.getArchive(out), "connect"));
        byte[] ping = frame(out -> new RequestHeader(-2, ZooDefs.OpCode.ping)
                .serialize(BinaryOutputArchive.getArchive(out), "header"));
        return new Bootstrap().group(io).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            private boolean session;

                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(connect));
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                                if (!session) {
                                    session = true;
                                    zkSessions.add(ctx.channel());
                                    opened.incrementAndGet();
                                    progress.incrementAndGet();
                                    permits.release();
                                    ctx.executor().scheduleAtFixedRate(() -> {
                                        if (ctx.channel().isActive()) {
                                            ctx.writeAndFlush(Unpooled.wrappedBuffer(ping));
                                        }
                                    }, ZK_SESSION_MS / 3, ZK_SESSION_MS / 3, TimeUnit.MILLISECONDS);
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                if (!session) {
                                    permits.release();
                                }
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                });
    }

    private interface Writer {
        void write(ByteArrayOutputStream out) throws IOException;
    }

    private static byte[] frame(Writer w) {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            w.write(body);
            ByteBuf buf = Unpooled.buffer(4 + body.size());
            buf.writeInt(body.size());
            buf.writeBytes(body.toByteArray());
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connections still open (ZooKeeper: with a session). */
    int alive() {
        return protocol.equals("zookeeper") ? zkSessions.size() : channels.size();
    }

    @Override
    public void close() {
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownNow();
    }
}
