package dev.registry.meta;

import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaseSettings;
import dev.registry.meta.slot.SlotBalancer;
import dev.registry.meta.store.MetaDatabase;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one meta server.
 *
 * @param bindHost      address the RPC and admin ports listen on
 * @param port          RPC port for data and session servers (0 = any free port)
 * @param adminPort     admin HTTP port (0 = any, -1 = disabled)
 * @param slotCount     slots in the cluster; never change it on a live cluster
 * @param replicas      copies of every slot (1 leader + replicas-1 followers)
 * @param dataLease     a data server that has not heartbeated for this long leaves the slot table
 * @param sessionLease  a session that has not heartbeated for this long leaves the member list
 * @param advertiseHost the host other nodes reach this meta at; with the RPC port it is this
 *                      node's address in the leader lease, which followers redirect members to
 * @param leaderLease   lease duration and renew interval of the meta leader lease
 * @param database      the database holding the lease, slot table and switches; null keeps them
 *                      in this process's memory (a single meta whose state dies with it)
 * @param adminToken    bearer token of the mutating admin endpoints; null disables them. Never logged.
 * @param adminBindHost address the admin HTTP port listens on (null: {@code bindHost})
 * @param dataProbeTimeout how long the leader's probe (connect and ping) of a data server that a
 *                      session or peer reports unreachable may take; a failed probe removes the
 *                      server from the slot table without waiting for its lease. Zero turns
 *                      reports off: a dead data server leaves when its lease runs out.
 */
public record MetaServerConfig(String bindHost, int port, int adminPort, int slotCount, int replicas,
                               Duration dataLease, Duration sessionLease, RpcConfig rpc, String advertiseHost,
                               LeaseSettings leaderLease, MetaDatabase database, String adminToken,
                               String adminBindHost, Duration dataProbeTimeout) {

    /** The default {@link #dataProbeTimeout}: a live server on a sane network answers far sooner. */
    public static final Duration DEFAULT_DATA_PROBE_TIMEOUT = Duration.ofSeconds(1);

    public MetaServerConfig {
        if (slotCount < 1 || slotCount > 65536) {
            throw new IllegalArgumentException("slotCount must be in [1, 65536]: " + slotCount);
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1: " + replicas);
        }
        advertiseHost = advertiseHost == null ? bindHost : advertiseHost;
        Objects.requireNonNull(leaderLease, "leaderLease");
        adminBindHost = adminBindHost == null ? bindHost : adminBindHost;
        dataProbeTimeout = dataProbeTimeout == null ? DEFAULT_DATA_PROBE_TIMEOUT : dataProbeTimeout;
        if (dataProbeTimeout.isNegative()) {
            throw new IllegalArgumentException("dataProbeTimeout must not be negative: " + dataProbeTimeout);
        }
    }

    /** The default data probe timeout. */
    public MetaServerConfig(String bindHost, int port, int adminPort, int slotCount, int replicas,
                            Duration dataLease, Duration sessionLease, RpcConfig rpc, String advertiseHost,
                            LeaseSettings leaderLease, MetaDatabase database, String adminToken,
                            String adminBindHost) {
        this(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc, advertiseHost, leaderLease,
                database, adminToken, adminBindHost, DEFAULT_DATA_PROBE_TIMEOUT);
    }

    /** Admin HTTP on {@code bindHost}. */
    public MetaServerConfig(String bindHost, int port, int adminPort, int slotCount, int replicas,
                            Duration dataLease, Duration sessionLease, RpcConfig rpc, String advertiseHost,
                            LeaseSettings leaderLease, MetaDatabase database, String adminToken) {
        this(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc, advertiseHost, leaderLease,
                database, adminToken, null);
    }

    /** A meta without a database (state in memory), the default lease, no admin token. */
    public MetaServerConfig(String bindHost, int port, int adminPort, int slotCount, int replicas,
                            Duration dataLease, Duration sessionLease, RpcConfig rpc) {
        this(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc, bindHost,
                LeaseSettings.defaults(), null, null);
    }

    public static MetaServerConfig local() {
        return new MetaServerConfig("127.0.0.1", 0, 0, SlotTable.DEFAULT_SLOT_COUNT, SlotBalancer.DEFAULT_REPLICAS,
                Duration.ofSeconds(6), Duration.ofSeconds(6), RpcConfig.serverDefaults());
    }

    public MetaServerConfig withPorts(int rpcPort, int httpPort) {
        return new MetaServerConfig(bindHost, rpcPort, httpPort, slotCount, replicas, dataLease, sessionLease, rpc,
                advertiseHost, leaderLease, database, adminToken, adminBindHost, dataProbeTimeout);
    }

    public MetaServerConfig withLeases(Duration data, Duration session) {
        return new MetaServerConfig(bindHost, port, adminPort, slotCount, replicas, data, session, rpc,
                advertiseHost, leaderLease, database, adminToken, adminBindHost, dataProbeTimeout);
    }

    public MetaServerConfig withLeaderLease(LeaseSettings lease) {
        return new MetaServerConfig(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc,
                advertiseHost, lease, database, adminToken, adminBindHost, dataProbeTimeout);
    }

    public MetaServerConfig withDatabase(MetaDatabase db) {
        return new MetaServerConfig(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc,
                advertiseHost, leaderLease, db, adminToken, adminBindHost, dataProbeTimeout);
    }

    public MetaServerConfig withAdvertiseHost(String host) {
        return new MetaServerConfig(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc,
                host, leaderLease, database, adminToken, adminBindHost, dataProbeTimeout);
    }

    public MetaServerConfig withAdminToken(String token) {
        return new MetaServerConfig(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc,
                advertiseHost, leaderLease, database, token, adminBindHost, dataProbeTimeout);
    }

    public MetaServerConfig withAdminBindHost(String host) {
        return new MetaServerConfig(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc,
                advertiseHost, leaderLease, database, adminToken, host, dataProbeTimeout);
    }

    public MetaServerConfig withDataProbeTimeout(Duration timeout) {
        return new MetaServerConfig(bindHost, port, adminPort, slotCount, replicas, dataLease, sessionLease, rpc,
                advertiseHost, leaderLease, database, adminToken, adminBindHost, timeout);
    }

    @Override
    public String toString() {
        return "MetaServerConfig[bind=" + bindHost + ", port=" + port + ", adminPort=" + adminPort + ", slots="
                + slotCount + ", replicas=" + replicas + ", lease=" + leaderLease + ", dataProbeTimeout=" + dataProbeTimeout + ", database="
                + (database == null ? "in-memory" : database.redactedUrl())
                + ", adminToken=" + (adminToken == null ? "unset" : "***") + "]";
    }
}
