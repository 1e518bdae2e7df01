package dev.registry.client;

import dev.registry.common.protocol.PushAck;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.rpc.RpcConnection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The session's pushes to this client's subscriptions: a full list is delivered as it is, a
 * delta is applied to the list each subscription holds, and the ack says whether every one could
 * apply it. Threading: called on connection I/O threads; each subscription orders its own deliveries.
 */
final class PushReceiver {
    private final Map<String, SubscriptionImpl> subscriptions;
    /** Delta pushes this client could not apply (it answered resync and got the full list). */
    private final LongAdder deltaResyncs = new LongAdder();

    PushReceiver(Map<String, SubscriptionImpl> subscriptions) {
        this.subscriptions = subscriptions;
    }

    long deltaResyncs() {
        return deltaResyncs.sum();
    }

    Object onPush(RpcConnection conn, PushRequest push) {
        if (push.isDelta()) {
            boolean resync = false;
            for (String id : push.subscriberIds()) {
                SubscriptionImpl s = subscriptions.get(id);
                if (s != null && !s.applyDelta(push)) {
                    resync = true; // it does not hold the base: the session sends the full list next
                }
            }
            if (resync) {
                deltaResyncs.increment();
            }
            return resync ? PushAck.resync(push.version()) : new PushAck(push.version());
        }
        LinkedHashMap<String, List<String>> byZone = new LinkedHashMap<>();
        if (push.valuesByZone() != null) {
            push.valuesByZone().forEach((zone, values) -> byZone.put(zone, List.copyOf(values)));
        }
        SubscriptionData data = SubscriptionImpl.dataOf(push.dataInfoId(), push.version(), byZone);
        for (String id : push.subscriberIds()) {
            SubscriptionImpl s = subscriptions.get(id);
            if (s != null) {
                s.deliver(data, byZone);
            }
        }
        return new PushAck(push.version());
    }
}
