package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.protocol.ZoneSplice;
import dev.registry.common.rpc.RpcConnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A client of our own protocol: pushes are {@link PushRequest}s answered by a {@link PushAck}.
 * Equal to every other target of the same connection (one is kept on the connection, a racing
 * twin must match it).
 */
public final class RpcPushTarget implements PushTarget {
    private final RpcConnection connection;
    /** Set once the client's hello announced delta pushes. */
    private volatile boolean deltas;

    public RpcPushTarget(RpcConnection connection) {
        this.connection = connection;
    }

    public RpcConnection connection() {
        return connection;
    }

    /** The client announced it applies delta pushes ({@code ClientHello.FEATURE_PUSH_DELTAS}). */
    public void enableDeltas() {
        deltas = true;
    }

    @Override
    public boolean acceptsDeltas() {
        return deltas;
    }

    @Override
    public String id() {
        return connection.id();
    }

    @Override
    public boolean isActive() {
        return connection.isActive();
    }

    @Override
    public boolean isWritable() {
        return connection.isWritable();
    }

    @Override
    public long pendingOutboundBytes() {
        return connection.pendingOutboundBytes();
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public CompletableFuture<?> push(DataInfoId id, long version, List<String> subscriberIds,
                                     LinkedHashMap<String, ArrayList<String>> valuesByZone, Duration timeout) {
        return connection.call(new PushRequest(id, version, new ArrayList<>(subscriberIds), valuesByZone),
                PushAck.class, timeout);
    }

    @Override
    public CompletableFuture<?> pushDelta(DataInfoId id, long version, List<String> subscriberIds, long baseVersion,
                                          long fingerprint, List<ZoneSplice> splices, Duration timeout) {
        return connection.call(PushRequest.delta(id, version, new ArrayList<>(subscriberIds), baseVersion, fingerprint,
                splices), PushAck.class, timeout);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RpcPushTarget t && t.connection.equals(connection);
    }

    @Override
    public int hashCode() {
        return connection.hashCode();
    }

    @Override
    public String toString() {
        return connection.toString();
    }
}
