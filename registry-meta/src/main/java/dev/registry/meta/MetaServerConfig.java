package dev.registry.meta;

import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.slot.SlotBalancer;

import java.time.Duration;

/**
 * Settings of one meta server.
 *
 * @param bindHost     address the RPC and admin ports listen on
 * @param port         RPC port for data and session servers (0 = any free port)
 * @param adminPort    admin HTTP port (0 = any, -1 = disabled)
 * @param slotCount    slots in the cluster; never change it on a live cluster
 * @param replicas     copies of every slot (1 leader + replicas-1 followers)
 * @param dataLease    a data server that has not heartbeated for this long leaves the slot table
 * @param sessionLease a session that has not heartbeated for this long leaves the member list
 */
public record MetaServerConfig(String bindHost, int port, int adminPort, int slotCount, int replicas,
                               Duration dataLease, Duration sessionLease, RpcConfig rpc) {

    public MetaServerConfig {
        if (slotCount < 1 || slotCount > 65536) {
            throw new IllegalArgumentException("slotCount must be in [1, 65536]: " + slotCount);
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1: " + replicas);
        }
    }

    public static MetaServerConfig local() {
        return new MetaServerConfig("127.0.0.1", 0, 0, SlotTable.DEFAULT_SLOT_COUNT, SlotBalancer.DEFAULT_REPLICAS,
                Duration.ofSeconds(6), Duration.ofSeconds(6), RpcConfig.serverDefaults());
    }

    public MetaServerConfig withPorts(int rpcPort, int httpPort) {
        return new MetaServerConfig(bindHost, rpcPort, httpPort, slotCount, replicas, dataLease, sessionLease, rpc);
    }

    public MetaServerConfig withLeases(Duration data, Duration session) {
        return new MetaServerConfig(bindHost, port, adminPort, slotCount, replicas, data, session, rpc);
    }
}
