package dev.registry.common.rpc;

import dev.registry.common.serialize.Serializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

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
    private ServerLoops loops;
    private Channel serverChannel;
    private boolean closed;

    public RpcServer(String name, RpcConfig config, Serializer serializer, HandlerRegistry handlers,
                     ConnectionListener listener) {
        this.name = name;
        this.config = config;
        this.serializer = serializer;
        this.handlers = handlers;
        this.listener = listener;
        this.refusals = new dev.registry.common.log.WarnSummary(log, name + ": connections refused at the limit",
                5_000, System::currentTimeMillis);
        this.tls = config.tls() == null ? null : dev.registry.common.tls.TlsContext.forServer(config.tls());
        this.metrics = new RpcMetrics(name);
    }

    /** The in-process endpoint ({@link RpcConfig#inProcess()}), or null. */
    private io.netty.channel.Channel localChannel;
    private io.netty.channel.local.LocalAddress localAddress;

    /** TLS of this port, or null (plain TCP); its files are re-read when they change. */
    private final dev.registry.common.tls.TlsContext tls;

    /** Connections refused at the limit: one WARN line per 5 s window, not one per connection. */
    private final dev.registry.common.log.WarnSummary refusals;

    /** Binds and returns the bound address (port 0 picks a free port). */
    public synchronized InetSocketAddress start(String host, int port) {
        if (serverChannel != null) {
            throw new IllegalStateException(name + " already started");
        }
        loops = new ServerLoops(name, config.workerThreads());

        ExecutorService workers = loops.workers();
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
        ChannelInitializer<io.netty.channel.Channel> initializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(io.netty.channel.Channel ch) {
                int max = config.maxConnections();
                if (max > 0 && connections.size() >= max) {
                    // Full: the client moves on to another server rather than overload this one.
                    metrics.refusedConnection();
                    refusals.warn("limit", ch.remoteAddress() + " refused: " + max + " connections open (limit)");
                    ch.close();
                    return;
                }
                boolean local = ch instanceof io.netty.channel.local.LocalChannel;
                RpcPipeline.install(ch, config, serializer, handlers, tracking, workers, metrics,
                        tls == null || local ? null : tls.newHandler(ch.alloc(), null, 0));
            }
        };
        ServerBootstrap bootstrap = loops.bootstrap().childHandler(initializer);
        serverChannel = loops.bind(bootstrap, host, port);
        if (tls != null) {
            // A renewed certificate is in force for new connections within 10 s, without a restart.
            serverChannel.eventLoop().scheduleWithFixedDelay(tls::reloadIfChanged, 10, 10,
                    java.util.concurrent.TimeUnit.SECONDS);
        }
        if (config.inProcess()) {
            bindInProcess(initializer);
        }
        log.info("{} listening on {}{}{}", name, serverChannel.localAddress(), tls == null ? "" : " (TLS)",
                localChannel == null ? "" : " and in-process");
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

    /**
     * Also takes in-process connections, if this process's Netty can run local channels on these
     * loops (a Netty 4.2 brought in by an embedding application cannot); else clients of this
     * process connect by socket like any other, which only costs speed.
     */
    private void bindInProcess(ChannelInitializer<io.netty.channel.Channel> initializer) {
        io.netty.channel.local.LocalAddress address =
                new io.netty.channel.local.LocalAddress(name + "@" + serverChannel.localAddress());
        try {
            localChannel = loops.localBootstrap().childHandler(initializer).bind(address).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind failure unchecked and undeclared
            log.info("{}: no in-process links ({}); clients of this process connect by socket", name, e.toString());
            return;
        }
        localAddress = address;
        InProcessLinks.register((InetSocketAddress) serverChannel.localAddress(), localAddress);
    }

    /** Stops accepting new connections but keeps the existing ones (for draining). */
    public synchronized void stopAccepting() {
        closeLocalEndpoint();
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }

    private void closeLocalEndpoint() {
        if (localChannel != null) {
            InProcessLinks.unregister((InetSocketAddress) serverChannel.localAddress(), localAddress);
            localChannel.close().syncUninterruptibly();
            localChannel = null;
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
            closeLocalEndpoint();
            serverChannel.close().syncUninterruptibly();
        }
        for (RpcConnection c : connections.keySet()) {
            c.close();
        }
        if (loops != null) {
            loops.close();
        }
    }
}
