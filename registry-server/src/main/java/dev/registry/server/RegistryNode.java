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

/**
 * The roles running in one process, started in dependency order (meta, data, session) and
 * stopped in reverse. Used by the launcher and by tests.
 */
public final class RegistryNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RegistryNode.class);

    /**
     * What to run and where; ports of 0 pick free ports.
     *
     * @param metaDatabase the database meta keeps its lease, slot table and switches in; null keeps
     *                     them in memory (one meta, nothing survives a restart)
     * @param metaLease    the meta leader lease: duration and renew interval
     */
    public record Settings(boolean meta, boolean data, boolean session, String bindHost, String advertiseHost,
                           List<HostAndPort> metaServers, int metaPort, int metaHttpPort, int dataPort,
                           int dataHttpPort, int sessionPort, int sessionHttpPort, int slots, int replicas,
                           Duration dataLease, Duration clientIdle, Duration sessionGrace, String adminToken,
                           int sofaBoltPort, MetaDatabase metaDatabase, LeaseSettings metaLease,
                           ConnectionBalancer.Settings sessionBalance, String adminHost) {

        /** Admin HTTP ports on {@code bindHost}. */
        public Settings(boolean meta, boolean data, boolean session, String bindHost, String advertiseHost,
                        List<HostAndPort> metaServers, int metaPort, int metaHttpPort, int dataPort,
                        int dataHttpPort, int sessionPort, int sessionHttpPort, int slots, int replicas,
                        Duration dataLease, Duration clientIdle, Duration sessionGrace, String adminToken,
                        int sofaBoltPort, MetaDatabase metaDatabase, LeaseSettings metaLease,
                        ConnectionBalancer.Settings sessionBalance) {
            this(meta, data, session, bindHost, advertiseHost, metaServers, metaPort, metaHttpPort, dataPort,
                    dataHttpPort, sessionPort, sessionHttpPort, slots, replicas, dataLease, clientIdle, sessionGrace,
                    adminToken, sofaBoltPort, metaDatabase, metaLease, sessionBalance, null);
        }

        /** Sessions balance clients with the defaults. */
        public Settings(boolean meta, boolean data, boolean session, String bindHost, String advertiseHost,
                        List<HostAndPort> metaServers, int metaPort, int metaHttpPort, int dataPort,
                        int dataHttpPort, int sessionPort, int sessionHttpPort, int slots, int replicas,
                        Duration dataLease, Duration clientIdle, Duration sessionGrace, String adminToken,
                        int sofaBoltPort, MetaDatabase metaDatabase, LeaseSettings metaLease) {
            this(meta, data, session, bindHost, advertiseHost, metaServers, metaPort, metaHttpPort, dataPort,
                    dataHttpPort, sessionPort, sessionHttpPort, slots, replicas, dataLease, clientIdle, sessionGrace,
                    adminToken, sofaBoltPort, metaDatabase, metaLease, ConnectionBalancer.Settings.defaults());
        }

        /** Meta state in memory, default meta lease. */
        public Settings(boolean meta, boolean data, boolean session, String bindHost, String advertiseHost,
                        List<HostAndPort> metaServers, int metaPort, int metaHttpPort, int dataPort,
                        int dataHttpPort, int sessionPort, int sessionHttpPort, int slots, int replicas,
                        Duration dataLease, Duration clientIdle, Duration sessionGrace, String adminToken,
                        int sofaBoltPort) {
            this(meta, data, session, bindHost, advertiseHost, metaServers, metaPort, metaHttpPort, dataPort,
                    dataHttpPort, sessionPort, sessionHttpPort, slots, replicas, dataLease, clientIdle, sessionGrace,
                    adminToken, sofaBoltPort, null, LeaseSettings.defaults());
        }

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

    public static RegistryNode start(Settings s) {
        Clock clock = Clock.systemUTC();
        MetaServer meta = null;
        DataServer data = null;
        SessionServer session = null;
        try {
            List<HostAndPort> metaServers = s.metaServers();
            if (s.meta()) {
                meta = new MetaServer(new MetaServerConfig(s.bindHost(), s.metaPort(), s.metaHttpPort(), s.slots(),
                        s.replicas(), s.dataLease(), s.dataLease(), RpcConfig.serverDefaults(), s.advertiseHost(),
                        s.metaLease(), s.metaDatabase(), s.adminToken(), s.adminHost()), clock).start();
                if (s.metaPort() == 0) {
                    metaServers = List.of(HostAndPort.fromParts(s.advertiseHost(), meta.port()));
                }
            }
            if (s.data()) {
                data = new DataServer(new DataServerConfig(s.bindHost(), s.dataPort(), s.dataHttpPort(),
                        s.advertiseHost(), metaServers, s.slots(), Duration.ofSeconds(1), s.sessionGrace(),
                        RpcConfig.serverDefaults(), SlotReplication.Settings.defaults(), s.adminToken(), 0,
                        s.adminHost()), clock).start();
            }
            if (s.session()) {
                RpcConfig clientRpc = RpcConfig.serverDefaults().withHeartbeat(Duration.ZERO, s.clientIdle());
                session = new SessionServer(new SessionServerConfig(s.bindHost(), s.sessionPort(),
                        s.sessionHttpPort(), s.advertiseHost(), metaServers, s.slots(), Duration.ofSeconds(1),
                        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30), clientRpc, PushEngine.Settings.defaults(),
                        s.adminToken(), s.sofaBoltPort(), s.sessionBalance(), s.adminHost()),
                        clock).start();
            }
        } catch (RuntimeException e) {
            new RegistryNode(meta, data, session).close();
            throw e;
        }
        return new RegistryNode(meta, data, session);
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
