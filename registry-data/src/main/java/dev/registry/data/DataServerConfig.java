package dev.registry.data;

import com.google.common.net.HostAndPort;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.replication.SlotReplication;

import java.time.Duration;
import java.util.List;

/**
 * Settings of one data server.
 *
 * @param bindHost          address the RPC and admin ports listen on
 * @param port              RPC port for sessions (0 = any free port)
 * @param adminPort         admin HTTP port (0 = any, -1 = disabled)
 * @param advertiseHost     host put into the slot table; must be reachable by sessions
 * @param metaAddresses     meta servers' RPC addresses
 * @param slotCount         slots in the cluster (must match meta)
 * @param heartbeatInterval heartbeat to meta
 * @param sessionGrace      after a session's last connection closed, its publishers are removed
 *                          once this grace period passed without it reconnecting
 * @param replication       op-log and reconciliation tunables
 * @param adminToken        bearer token for mutating admin endpoints (null: disabled)
 * @param advertisePort     port put into the slot table (0 = the bound RPC port); differs from the
 *                          bound port behind a port-forwarding proxy or NAT
 * @param adminBindHost     address the admin HTTP port listens on (null: {@code bindHost})
 */
public record DataServerConfig(String bindHost, int port, int adminPort, String advertiseHost,
                               List<HostAndPort> metaAddresses, int slotCount, Duration heartbeatInterval,
                               Duration sessionGrace, RpcConfig rpc,
                               SlotReplication.Settings replication, String adminToken, int advertisePort,
                               String adminBindHost) {

    public DataServerConfig {
        if (metaAddresses.isEmpty()) {
            throw new IllegalArgumentException("data server needs at least one meta address");
        }
        if (advertisePort < 0 || advertisePort > 65535) {
            throw new IllegalArgumentException("advertisePort must be in [0, 65535]: " + advertisePort);
        }
        metaAddresses = List.copyOf(metaAddresses);
        adminBindHost = adminBindHost == null ? bindHost : adminBindHost;
    }

    /** Admin HTTP on {@code bindHost}. */
    public DataServerConfig(String bindHost, int port, int adminPort, String advertiseHost,
                            List<HostAndPort> metaAddresses, int slotCount, Duration heartbeatInterval,
                            Duration sessionGrace, RpcConfig rpc, SlotReplication.Settings replication,
                            String adminToken, int advertisePort) {
        this(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount, heartbeatInterval, sessionGrace,
                rpc, replication, adminToken, advertisePort, null);
    }

    /** Advertises the bound RPC port. */
    public DataServerConfig(String bindHost, int port, int adminPort, String advertiseHost,
                            List<HostAndPort> metaAddresses, int slotCount, Duration heartbeatInterval,
                            Duration sessionGrace, RpcConfig rpc, SlotReplication.Settings replication,
                            String adminToken) {
        this(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount, heartbeatInterval, sessionGrace,
                rpc, replication, adminToken, 0);
    }

    public static DataServerConfig local(List<HostAndPort> metaAddresses) {
        return new DataServerConfig("127.0.0.1", 0, 0, "127.0.0.1", metaAddresses, SlotTable.DEFAULT_SLOT_COUNT,
                Duration.ofSeconds(1), Duration.ofSeconds(20), RpcConfig.serverDefaults(),
                SlotReplication.Settings.defaults(), null);
    }

    public DataServerConfig withPorts(int rpcPort, int httpPort) {
        return new DataServerConfig(bindHost, rpcPort, httpPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, sessionGrace, rpc, replication, adminToken, advertisePort, adminBindHost);
    }

    public DataServerConfig withSessionGrace(Duration grace) {
        return new DataServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, grace, rpc, replication, adminToken, advertisePort, adminBindHost);
    }

    /** Sessions and peers reach this server at {@code advertiseHost:port} (0: the bound port). */
    public DataServerConfig withAdvertisePort(int port) {
        return new DataServerConfig(bindHost, this.port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, sessionGrace, rpc, replication, adminToken, port, adminBindHost);
    }

    public DataServerConfig withAdminBindHost(String host) {
        return new DataServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, sessionGrace, rpc, replication, adminToken, advertisePort, host);
    }
}
