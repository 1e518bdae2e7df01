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
 */
public record DataServerConfig(String bindHost, int port, int adminPort, String advertiseHost,
                               List<HostAndPort> metaAddresses, int slotCount, Duration heartbeatInterval,
                               Duration sessionGrace, RpcConfig rpc,
                               SlotReplication.Settings replication, String adminToken) {

    public DataServerConfig {
        if (metaAddresses.isEmpty()) {
            throw new IllegalArgumentException("data server needs at least one meta address");
        }
        metaAddresses = List.copyOf(metaAddresses);
    }

    public static DataServerConfig local(List<HostAndPort> metaAddresses) {
        return new DataServerConfig("127.0.0.1", 0, 0, "127.0.0.1", metaAddresses, SlotTable.DEFAULT_SLOT_COUNT,
                Duration.ofSeconds(1), Duration.ofSeconds(20), RpcConfig.serverDefaults(),
                SlotReplication.Settings.defaults(), null);
    }

    public DataServerConfig withPorts(int rpcPort, int httpPort) {
        return new DataServerConfig(bindHost, rpcPort, httpPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, sessionGrace, rpc, replication, adminToken);
    }

    public DataServerConfig withSessionGrace(Duration grace) {
        return new DataServerConfig(bindHost, port, adminPort, advertiseHost, metaAddresses, slotCount,
                heartbeatInterval, grace, rpc, replication, adminToken);
    }
}
