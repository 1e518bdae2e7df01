package dev.registry.common.rpc;

/** Told when a connection opens and when it closes (for whatever reason). Called on an I/O thread: do not block. */
public interface ConnectionListener {
    default void onConnected(RpcConnection connection) {
    }

    default void onDisconnected(RpcConnection connection) {
    }
}
