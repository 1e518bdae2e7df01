package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.rpc.RpcConnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A client of our own protocol: pushes are {@link PushRequest}s answered by a {@link PushAck}. */
public record RpcPushTarget(RpcConnection connection) implements PushTarget {

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
    public String toString() {
        return connection.toString();
    }
}
