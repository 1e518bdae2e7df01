package dev.registry.session;

import com.google.common.net.HostAndPort;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.slot.SlotTable;
import dev.registry.session.balance.ConnectionBalancer;
import dev.registry.session.damping.FlapDamper;
import dev.registry.session.limits.ClientLimits;
import dev.registry.session.push.PushEngine;

import java.time.Duration;
import java.util.List;

/**
 * Settings of one session server.
 *
 * @param bindHost           address the client and admin ports listen on
 * @param port               client port (0 = any free port; 9600 in the launcher)
 * @param adminPort          admin HTTP port (0 = any, -1 = disabled)
 * @param advertiseHost      host clients and data servers know this session by
 * @param metaAddresses      meta servers' RPC addresses
 * @param slotCount          slots in the cluster (must match meta)
 * @param heartbeatInterval  heartbeat to meta
 * @param writeDeadline      how long a publisher write is retried across slot-table changes before the
 *                           client gets an error (the write still continues in the background)
 * @param reconcileInterval  how often subscribers are checked against announced versions
 * @param clientRpc          transport settings of the client port (idle timeout = offline detection)
 * @param push               push engine tunables (merge window, retries, slow-client limit)
 * @param adminToken         bearer token for mutating admin endpoints (null: they are disabled)
 * @param sofaBoltPort       Bolt port for SOFARegistry's own Java client (0 = any free port, -1 = disabled;
 *                           the launcher's default is 9601 beside client port 9600, else a free port)
 * @param balance            moving clients to sessions with fewer of them (off unless set: the launcher turns it on)
 * @param adminBindHost      address the admin HTTP port listens on (null: {@code bindHost})
 * @param damping            flap damping of client links: publishers of a client whose link flaps are held
 *                           through a loss ({@link FlapDamper})
 * @param clientLimits       per-connection caps of the client ports (registrations held, request rate); the
 *                           connection count and queue caps are in {@code clientRpc}
 * @param appsFile           apps file with the credentials and ACLs of client apps; non-null turns
 *                           authentication on for the client ports (reloaded when it changes)
 * @param clusterTls         mutual TLS on the links to meta and data servers (this node's certificate and key,
 *                           the cluster CA); null: plain TCP
 * @param randomSeed         seed of all the session's randomness (retry jitter, which clients a balancing round
 *                           moves), for a simulator that replays a run; null (default): drawn at random
 */
public record SessionServerConfig(String bindHost, int port, int adminPort, String advertiseHost,
                                  List<HostAndPort> metaAddresses, int slotCount, Duration heartbeatInterval,
                                  Duration writeDeadline, Duration reconcileInterval, Duration slotSyncInterval,
                                  RpcConfig clientRpc,
                                  PushEngine.Settings push, String adminToken, int sofaBoltPort,
                                  ConnectionBalancer.Settings balance, String adminBindHost,
                                  FlapDamper.Settings damping, ClientLimits.Settings clientLimits,
                                  java.nio.file.Path appsFile, dev.registry.common.tls.TlsSettings clusterTls,
                                  Long randomSeed) {

    public SessionServerConfig {
        if (metaAddresses.isEmpty()) {
            throw new IllegalArgumentException("session server needs at least one meta address");
        }
        metaAddresses = List.copyOf(metaAddresses);
        java.util.Objects.requireNonNull(balance, "balance");
        adminBindHost = adminBindHost == null ? bindHost : adminBindHost;
        java.util.Objects.requireNonNull(damping, "damping");
        java.util.Objects.requireNonNull(clientLimits, "clientLimits");
    }

    /** A random seed drawn at start (the default). */
    public SessionServerConfig(String bindHost, int port, int adminPort, String advertiseHost,
                               List<HostAndPort> metaAddresses, int slotCount, Duration heartbeatInterval,
                               Duration writeDeadline, Duration reconcileInterval, Duration slotSyncInterval,
                               RpcConfig clientRpc, PushEngine.Settings push, String adminToken, int sofaBoltPort,
                               ConnectionBalancer.Settings balance, String adminBindHost, FlapDamper.Settings damping,
                               ClientLimits.Settings clientLimits, java.nio.file.Path appsFile,
                               dev.registry.common.tls.TlsSettings clusterTls) {
        this(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount, heartbeatInterval, writeDeadline,
                reconcileInterval, slotSyncInterval, clientRpc, push, adminToken, sofaBoltPort, balance, adminBindHost,
                damping, clientLimits, appsFile, clusterTls, null);
    }

    /**
     * The defaults of everything after {@code adminToken}: no SOFARegistry port, no client
     * balancing, admin HTTP on {@code bindHost}, default flap damping and client limits, no
     * authentication, plain TCP to meta and data servers. Adjust with the {@code with...} methods.
     */
    public SessionServerConfig(String bindHost, int port, int adminPort, String advertiseHost,
                               List<HostAndPort> metaAddresses, int slotCount, Duration heartbeatInterval,
                               Duration writeDeadline, Duration reconcileInterval, Duration slotSyncInterval,
                               RpcConfig clientRpc, PushEngine.Settings push, String adminToken) {
        this(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount, heartbeatInterval, writeDeadline,
                reconcileInterval, slotSyncInterval, clientRpc, push, adminToken, -1,
                ConnectionBalancer.Settings.disabled(), null, FlapDamper.Settings.defaults(),
                ClientLimits.Settings.defaults(), null, null, null);
    }

    public static SessionServerConfig local(List<HostAndPort> metaAddresses) {
        return new SessionServerConfig("127.0.0.1", 0, 0, "127.0.0.1", metaAddresses, SlotTable.DEFAULT_SLOT_COUNT,
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30),
                RpcConfig.serverDefaults(),
                PushEngine.Settings.defaults(), null);
    }

    public SessionServerConfig withPorts(int clientPort, int httpPort) {
        return new SessionServerConfig(bindHost, clientPort, httpPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, balance, adminBindHost, damping, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withClientRpc(RpcConfig rpc) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, rpc, push, adminToken,
                sofaBoltPort, balance, adminBindHost, damping, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withPush(PushEngine.Settings settings) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, settings, adminToken,
                sofaBoltPort, balance, adminBindHost, damping, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withAdminToken(String token) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, token,
                sofaBoltPort, balance, adminBindHost, damping, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withReconcileInterval(Duration interval) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, interval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, balance, adminBindHost, damping, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withBalance(ConnectionBalancer.Settings settings) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, settings, adminBindHost, damping, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withSofaBoltPort(int boltPort) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                boltPort, balance, adminBindHost, damping, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withAdminBindHost(String host) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, balance, host, damping, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withDamping(FlapDamper.Settings settings) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, balance, adminBindHost, settings, clientLimits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withClientLimits(ClientLimits.Settings limits) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, balance, adminBindHost, damping, limits, appsFile, clusterTls, randomSeed);
    }

    public SessionServerConfig withAppsFile(java.nio.file.Path file) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, balance, adminBindHost, damping, clientLimits, file, clusterTls, randomSeed);
    }

    public SessionServerConfig withClusterTls(dev.registry.common.tls.TlsSettings tls) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, balance, adminBindHost, damping, clientLimits, appsFile, tls, randomSeed);
    }

    /**
     * Seeds the session's randomness (null: drawn at random), so that a deterministic simulation
     * can replay a run (issue #21). The launcher sets it from {@code -Dregistry.random.seed}.
     */
    public SessionServerConfig withRandomSeed(Long seed) {
        return new SessionServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, writeDeadline, reconcileInterval, slotSyncInterval, clientRpc, push, adminToken,
                sofaBoltPort, balance, adminBindHost, damping, clientLimits, appsFile, clusterTls, seed);
    }
}
