package dev.registry.session.bolt;

import com.google.common.util.concurrent.MoreExecutors;
import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.rpc.ServerLoops;
import dev.registry.common.serialize.Serializer;
import dev.registry.session.link.DataServerLinks;
import dev.registry.session.publish.PublisherSyncer;
import dev.registry.session.push.PushEngine;
import dev.registry.session.push.PushTarget;
import dev.registry.session.push.SubscriberRegistry;
import dev.registry.session.store.SessionPublisherStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The session's port for SOFARegistry's own Java client ({@code com.alipay.sofa:registry-client-all}),
 * beside our own protocol: Bolt RPC v1 on Netty, Hessian 2 with an allow-list, and the HTTP
 * discovery routes on the session's admin port. Requests go to the same stores, syncer and
 * push engine as our own clients'; see docs/sofa-compatibility.md.
 *
 * <p>Pipeline per connection: idle handler (reader idle closes; the client heartbeats after
 * 15 s of silence), {@link BoltFrameDecoder} (hard frame limit), {@link BoltFrameEncoder},
 * {@link BoltChannelHandler}. Start once, close once.
 */
public final class SofaClientPort implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SofaClientPort.class);

    /**
     * @param maxFrameBytes        largest Bolt frame accepted or sent (header + class + content)
     * @param idleTimeout          a connection silent this long is closed (the client heartbeats
     *                             every 15 s of idleness, so 45 s is three missed heartbeats)
     * @param workerThreads        threads running request handlers
     * @param writeBufferHighBytes outbound buffer above which pushes wait (back-pressure)
     * @param migrationGrace       when the session drains, publishers of the clients it moves
     *                             leave the data servers only after this
     * @param tls                  the session's client-port certificate: the Bolt port speaks TLS
     *                             with it too (SOFARegistry's stock client reaches it through a TLS
     *                             tunnel, docs/security.md); null: plain TCP
     */
    public record Settings(int maxFrameBytes, Duration idleTimeout, int workerThreads, int writeBufferHighBytes,
                           Duration migrationGrace, dev.registry.common.tls.TlsSettings tls) {
        public static Settings defaults(int maxFrameBytes, int workerThreads, int writeBufferHighBytes,
                                        Duration migrationGrace, dev.registry.common.tls.TlsSettings tls) {
            return new Settings(maxFrameBytes, Duration.ofSeconds(45), workerThreads, writeBufferHighBytes,
                    migrationGrace, tls);
        }
    }

    /**
     * What the port uses of its session (all owned, started and stopped by SessionServer).
     *
     * @param ownClientConnections connections on the session's own client port (for weights)
     * @param liveSessions         meta's current session list, or null while unknown
     * @param removesOnDisconnect  false while the session stops: then clients re-register
     *                             elsewhere and the data servers expire this session's publishers
     */
    public record Session(String sessionId, String advertiseHost, int slotCount, SessionPublisherStore publishers,
                          PublisherSyncer syncer, SubscriberRegistry<PushTarget> subscribers, PushEngine push,
                          DataServerLinks links, ScheduledExecutorService scheduler, Clock clock,
                          IntSupplier ownClientConnections, Supplier<Collection<String>> liveSessions,
                          BooleanSupplier removesOnDisconnect,
                          dev.registry.session.damping.ClientLinkDamping damping,
                          dev.registry.session.store.RegistrationOwnership ownership,
                          dev.registry.session.limits.ClientLimits limits,
                          dev.registry.session.auth.ClientAuthentication authentication) {
    }

    private final Settings settings;
    private final Session session;
    private final dev.registry.common.tls.TlsContext tls;
    private final Serializer serializer = SofaModel.serializer();
    private final SofaRegistrations registrations;
    private final SofaRequestDispatcher dispatcher;
    private final Map<BoltConnection, Boolean> connections = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder idleCloses = new LongAdder();
    private SofaSessionDirectory directory;
    private ServerLoops loops;
    private Channel serverChannel;
    private volatile int boundPort = -1;
    private boolean closed;

    public SofaClientPort(Settings settings, Session session) {
        this.settings = settings;
        this.session = session;
        this.tls = settings.tls() == null ? null : dev.registry.common.tls.TlsContext.forServer(settings.tls());
        this.registrations = new SofaRegistrations(session);
        this.dispatcher = new SofaRequestDispatcher(registrations.handlers(), serializer);
    }

    /** Binds (port 0 picks a free one), then keeps this session's entry in the directory current. */
    public synchronized InetSocketAddress start(String host, int port) {
        if (serverChannel != null) {
            throw new IllegalStateException("SOFARegistry client port already started");
        }
        loops = new ServerLoops("session-bolt", settings.workerThreads());
        ExecutorService workers = loops.workers();
        ServerBootstrap bootstrap = loops.bootstrap()
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        settings.writeBufferHighBytes() / 2, settings.writeBufferHighBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // One client's requests run in arrival order, clients in parallel.
                        BoltConnection connection = new BoltConnection(ch, serializer, settings.maxFrameBytes(),
                                MoreExecutors.newSequentialExecutor(workers));
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), null, 0));
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0,
                                        TimeUnit.MILLISECONDS))
                                .addLast("boltDecoder", new BoltFrameDecoder(settings.maxFrameBytes()))
                                .addLast("boltEncoder", BoltFrameEncoder.INSTANCE)
                                .addLast("bolt", new BoltChannelHandler(connection, SofaClientPort.this));
                    }
                });
        serverChannel = loops.bind(bootstrap, host, port);
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        boundPort = bound.getPort();
        directory = new SofaSessionDirectory(session, session.advertiseHost() + ":" + bound.getPort(),
                connections::size);
        session.scheduler().scheduleWithFixedDelay(this::refreshDirectory, 0, 1, TimeUnit.SECONDS);
        if (tls != null) {
            // A renewed certificate is in force for new connections within 10 s, as on the client port.
            session.scheduler().scheduleWithFixedDelay(tls::reloadIfChanged, 10, 10, TimeUnit.SECONDS);
        }
        log.info("SOFARegistry client port (Bolt) listening on {}{}", bound, tls == null ? "" : " (TLS)");
        return bound;
    }

    private void refreshDirectory() {
        try {
            directory.refresh();
        } catch (RuntimeException e) {
            log.warn("cannot refresh this session's Bolt endpoint", e);
        }
    }

    /** Adds the discovery routes SOFARegistry's client calls to the session's admin HTTP server. */
    public void registerAdminRoutes(AdminHttpServer http) {
        // Plain text, entries joined by ';' without whitespace; the client's parameters are ignored.
        http.get("/api/servers/queryWithWeight",
                r -> AdminResponse.text(200, directory.serverList(true), "text/plain"));
        http.get("/api/servers/query", r -> AdminResponse.text(200, directory.serverList(false), "text/plain"));
    }

    /** The bound port (still reported after a drain stopped accepting). */
    public int port() {
        return boundPort;
    }

    /** The open connection with this id, if any (a linear scan: for the rare ownership conflicts). */
    public java.util.Optional<BoltConnection> connection(String id) {
        return connections.keySet().stream().filter(c -> c.id().equals(id)).findFirst();
    }

    public List<BoltConnection> connections() {
        return List.copyOf(connections.keySet());
    }

    SofaRequestDispatcher dispatcher() {
        return dispatcher;
    }

    void onConnected(BoltConnection connection) {
        accepted.increment();
        connections.put(connection, Boolean.TRUE);
    }

    void onDisconnected(BoltConnection connection) {
        connections.remove(connection);
        try {
            registrations.onDisconnected(connection, settings.migrationGrace());
        } catch (RuntimeException e) {
            log.error("cleanup of {} failed", connection, e);
        }
    }

    void countProtocolError() {
        protocolErrors.increment();
    }

    void countIdleClose() {
        idleCloses.increment();
    }

    /**
     * Session draining: leave the directory, stop accepting, and close every client so it
     * reconnects to another session (its list has them); their publishers stay on the data
     * servers for the migration grace, by which time they re-registered elsewhere.
     */
    public void drain() {
        directory.withdraw();
        synchronized (this) {
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
        }
        List<BoltConnection> clients = connections();
        log.info("draining: closing {} SOFARegistry client connections; they reconnect elsewhere", clients.size());
        clients.forEach(BoltConnection::closeForMigration);
    }

    public void appendPrometheus(StringBuilder out) {
        out.append("# TYPE registry_session_sofa_connections gauge\nregistry_session_sofa_connections ")
                .append(connections.size()).append('\n');
        out.append("# TYPE registry_session_sofa_connections_accepted_total counter\n")
                .append("registry_session_sofa_connections_accepted_total ").append(accepted.sum()).append('\n');
        out.append("# TYPE registry_session_sofa_protocol_errors_total counter\n")
                .append("registry_session_sofa_protocol_errors_total ").append(protocolErrors.sum()).append('\n');
        out.append("# TYPE registry_session_sofa_rejected_requests_total counter\n")
                .append("registry_session_sofa_rejected_requests_total ").append(dispatcher.rejectedRequests())
                .append('\n');
        out.append("# TYPE registry_session_sofa_idle_closes_total counter\n")
                .append("registry_session_sofa_idle_closes_total ").append(idleCloses.sum()).append('\n');
    }

    /** Idempotent. Closing drops every connection (without removing publishers if the session is stopping). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        for (BoltConnection c : connections.keySet()) {
            c.close();
        }
        if (loops != null) {
            loops.close();
        }
    }
}
