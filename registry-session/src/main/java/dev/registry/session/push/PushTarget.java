package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.ZoneSplice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One client connection pushes go to, whatever protocol it speaks (our own RPC, or Bolt for
 * SOFARegistry clients). {@link PushEngine} decides what and when; a target only delivers.
 *
 * <p>Implementations must be safe for concurrent use, and equal exactly when they stand for
 * the same connection: {@link SubscriberRegistry} groups and matches subscribers by it.
 */
public interface PushTarget {

    /** A process-unique id of the connection, for logs and retry keys. */
    String id();

    boolean isActive();

    /** False while the outbound buffer is above its high-water mark. */
    boolean isWritable();

    /** Bytes written to this connection that the peer has not read yet. */
    long pendingOutboundBytes();

    void close();

    /**
     * Sends the list of {@code id} at {@code version} to the listed subscribers of this
     * connection. Completes when the client acknowledged it; exceptionally on a timeout,
     * a closed connection or a refusal.
     *
     * @param valuesByZone shared between targets of one round: read it, never change it
     */
    CompletableFuture<?> push(DataInfoId id, long version, List<String> subscriberIds,
                              LinkedHashMap<String, ArrayList<String>> valuesByZone, Duration timeout);

    /** Whether the client applies delta pushes ({@link #pushDelta}); false unless it said so. */
    default boolean acceptsDeltas() {
        return false;
    }

    /**
     * Sends only what changed from {@code baseVersion}, which the listed subscribers hold, to
     * {@code version}. Completes with the client's answer: a {@link PushAck} that may ask for a
     * resync. Only for targets that {@link #acceptsDeltas}.
     */
    default CompletableFuture<?> pushDelta(DataInfoId id, long version, List<String> subscriberIds, long baseVersion,
                                           long fingerprint, List<ZoneSplice> splices, Duration timeout) {
        throw new UnsupportedOperationException(this + " does not take delta pushes");
    }
}
