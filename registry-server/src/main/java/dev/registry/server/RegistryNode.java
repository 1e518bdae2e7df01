package dev.registry.server;

import com.google.common.net.HostAndPort;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.data.DataServer;
import dev.registry.data.DataServerConfig;
import dev.registry.data.replication.SlotReplication;
import dev.registry.meta.MetaServer;
import dev.registry.meta.MetaServerConfig;
import dev.registry.meta.lease.LeaseSettings;
import dev.registry.meta.store.MetaDatabase;
import dev.registry.session.SessionServer;
import dev.registry.session.balance.ConnectionBalancer;
import dev.registry.session.SessionServerConfig;
import dev.registry.session.push.PushEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The roles running in one process: meta starts beside data and session (see {@link #start}),
 * and they stop in the order session, data, meta. Used by the launcher and by tests.
 */
public final class RegistryNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistryNode.class);

    /**
     * What to run and where; ports of 0 pick free ports.
     *
     * @param metaDatabase the database meta keeps its lease, slot table and switches in; null keeps
     *                     them in memory (one meta, nothing survives a restart)
     * @param metaLease    the meta leader lease: duration and renew interval
     * @param dataProbeTimeout meta's probe of a data server reported unreachable (zero: reports off,
     *                     leases decide alone); see {@link MetaServerConfig#dataProbeTimeout()}
     * @param clientDamping flap damping of client links (sessions)
     * @param clientLimits  per-connection caps of the sessions' client ports
     * @param appsFile     apps file of client authentication (sessions); null: off
     * @param clientTls    TLS of the sessions' client ports; null: plain TCP
     * @param clusterTls   mutual TLS between the roles (and HTTPS on admin ports); null: plain TCP
     * @param randomSeed   seed of the node's randomness, for reproducing a run; null: drawn at random. Only the
     *                     session role draws random numbers (meta and data have no jitter or shuffles).
     */
    public record Settings(boolean meta, boolean data, boolean session, String bindHost, String advertiseHost,
                           List<HostAndPort> metaServers, int metaPort, int metaHttpPort, int dataPort,
                           int dataHttpPort, int sessionPort, int sessionHttpPort, int slots, int replicas,
                           Duration dataLease, Duration clientIdle, Duration sessionGrace, String adminToken,
                           int sofaBoltPort, MetaDatabase metaDatabase, LeaseSettings metaLease,
                           ConnectionBalancer.Settings sessionBalance, String adminHost, Duration dataProbeTimeout,
                           dev.registry.session.damping.FlapDamper.Settings clientDamping,
                           dev.registry.session.limits.ClientLimits.Settings clientLimits,
                           java.nio.file.Path appsFile, dev.registry.common.tls.TlsSettings clientTls,
                           dev.registry.common.tls.TlsSettings clusterTls, Long randomSeed) {

        @Override
        public String toString() {
            return "Settings[meta=" + meta + ", data=" + data + ", session=" + session + ", bind=" + bindHost
                    + ", metaDatabase=" + (metaDatabase == null ? "in-memory" : metaDatabase.redactedUrl())
                    + ", adminToken=" + (adminToken == null ? "unset" : "***") + "]"; // never print secrets
        }
    }

    private final MetaServer meta;
    private final DataServer data;
    private final SessionServer session;

    private RegistryNode(MetaServer meta, DataServer data, SessionServer session) {
        this.meta = meta;
        this.data = data;
        this.session = session;
    }

    /**
     * Starts the roles. With a fixed meta port the meta starts on a thread of its own, side by
     * side with data and session (which find it by that port and retry until it answers): its
     * database start-up no longer delays theirs, which is most of the start-to-ready time of the
     * all-in-one process (issue 15). With meta port 0 the others need its port first.
     */
    public static RegistryNode start(Settings s) {
        Clock clock = Clock.systemUTC();
        CompletableFuture<MetaServer> metaStart = null;
        MetaServer meta = null;
        DataServer data = null;
        SessionServer session = null;
        // Roles of one process reach each other's ports without sockets or codecs (off with -Dregistry.inProcessLinks=false).
        boolean inProcess = (s.meta() ? 1 : 0) + (s.data() ? 1 : 0) + (s.session() ? 1 : 0) > 1
                && Boolean.parseBoolean(System.getProperty("registry.inProcessLinks", "true"));
        // The session and the data server keep one publisher object between them, not two copies.
        // Over in-process links the data server is handed the session's very object; over sockets
        // it decodes a copy, which the interner then replaces with the session's (a weak
        // reference per registration, which the GC processes: not worth it when nothing is decoded).
        dev.registry.common.protocol.WireInterner.shareRegistrations(s.data() && s.session() && !inProcess);
        try {
            List<HostAndPort> metaServers = s.metaServers();
            if (s.meta()) {
                MetaServer created = new MetaServer(new MetaServerConfig(s.bindHost(), s.metaPort(), s.metaHttpPort(),
                        s.slots(), s.replicas(), s.dataLease(), s.dataLease(),
                        RpcConfig.serverDefaults().withTls(s.clusterTls()).withInProcess(inProcess),
                        s.advertiseHost(), s.metaLease(), s.metaDatabase(), s.adminToken(), s.adminHost(),
                        s.dataProbeTimeout()), clock);
                metaStart = new CompletableFuture<>();
                startOnOwnThread(created, metaStart);
                if (s.metaPort() == 0) {
                    meta = join(metaStart);
                    metaServers = List.of(HostAndPort.fromParts(s.advertiseHost(), meta.port()));
                }
            }
            if (s.data()) {
                data = new DataServer(new DataServerConfig(s.bindHost(), s.dataPort(), s.dataHttpPort(),
                        s.advertiseHost(), metaServers, s.slots(), Duration.ofSeconds(1), s.sessionGrace(),
                        RpcConfig.serverDefaults().withTls(s.clusterTls()).withInProcess(inProcess),
                        SlotReplication.Settings.defaults(), s.adminToken(), 0,
                        s.adminHost()), clock).start();
            }
            if (s.session()) {
                RpcConfig clientRpc = RpcConfig.serverDefaults().withHeartbeat(Duration.ZERO, s.clientIdle())
                        .withTls(s.clientTls());
                session = new SessionServer(new SessionServerConfig(s.bindHost(), s.sessionPort(),
                        s.sessionHttpPort(), s.advertiseHost(), metaServers, s.slots(), Duration.ofSeconds(1),
                        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30), clientRpc, PushEngine.Settings.defaults(),
                        s.adminToken(), s.sofaBoltPort(), s.sessionBalance(), s.adminHost(), s.clientDamping(),
                        s.clientLimits(), s.appsFile(), s.clusterTls()).withRandomSeed(s.randomSeed()),
                        clock).start();
            }
            if (metaStart != null) {
                meta = join(metaStart);
            }
        } catch (RuntimeException e) {
            if (meta == null && metaStart != null) {
                try {
                    meta = join(metaStart); // started meanwhile: stop it with the others
                } catch (RuntimeException metaError) {
                    e.addSuppressed(metaError);
                }
            }
            new RegistryNode(meta, data, session).close();
            throw e;
        }
        return new RegistryNode(meta, data, session);
    }

    private static void startOnOwnThread(MetaServer meta, CompletableFuture<MetaServer> started) {
        Thread t = new Thread(() -> {
            try {
                started.complete(meta.start());
            } catch (RuntimeException | Error e) {
                // start() failed half-way: close what it opened (ports, threads, database) before reporting it.
                try {
                    meta.close();
                } catch (RuntimeException closeError) {
                    e.addSuppressed(closeError);
                }
                started.completeExceptionally(e);
            }
        }, "meta-start");
        t.setDaemon(true);
        t.start();
    }

    /** The started meta, or its start-up failure as thrown by {@link MetaServer#start}. */
    private static MetaServer join(CompletableFuture<MetaServer> started) {
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    public MetaServer meta() {
        return meta;
    }

    public DataServer data() {
        return data;
    }

    public SessionServer session() {
        return session;
    }

    /** One line per role with its ports, printed by the launcher once everything listens. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        if (meta != null) {
            lines.add("meta     rpc :" + meta.port() + "  admin http :" + meta.adminPort());
        }
        if (data != null) {
            lines.add("data     rpc :" + data.port() + "  admin http :" + data.adminPort() + "  (" + data.address() + ")");
        }
        if (session != null) {
            lines.add("session  clients :" + session.port() + "  admin http :" + session.adminPort()
                    + "  (readiness: GET /health/ready)");
            if (session.sofaBoltPort() >= 0) {
                lines.add("session  SOFARegistry clients (bolt) :" + session.sofaBoltPort()
                        + "  discovery: registryEndpointPort " + session.adminPort());
            }
        }
        return "registry started\n  " + String.join("\n  ", lines);
    }

    @Override
    public void close() {
        if (session != null) {
            session.drain(Duration.ofSeconds(10)); // clients move to other sessions first
            session.close();
        }
        if (data != null) {
            data.drain(Duration.ofSeconds(30)); // hand slots off first; returns at once if it is the only one
            data.close();
        }
        if (meta != null) {
            meta.close();
        }
        log.info("registry node stopped");
    }
}
