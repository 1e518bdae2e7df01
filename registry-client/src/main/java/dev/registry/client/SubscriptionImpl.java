package dev.registry.client;

import dev.registry.common.model.ContentFingerprint;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Subscriber;
import dev.registry.common.protocol.PushDeltas;
import dev.registry.common.protocol.PushRequest;
import dev.registry.common.protocol.RegisterSubscriberRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A subscription's handle and the list it holds: pushes are delivered through it in version
 * order, and its version goes with every re-registration. Threading: delivery is synchronized
 * on this; {@code current} is volatile for readers.
 */
final class SubscriptionImpl implements Subscription {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionImpl.class);

    private final DataInfoId id;
    private final String registerId;
    private final SubscriptionObserver observer;
    /** The client's count of pushes older than what a subscription held. */
    private final LongAdder olderPushesDropped;
    private final Runnable unregister;
    private volatile SubscriptionData current;
    /** The lists of {@code current} in the session's zone order (delta pushes splice them). Guarded by this. */
    private LinkedHashMap<String, List<String>> zones;
    /**
     * The value hashes of {@code zones}, computed at the first delta and then kept up to date
     * by hashing only inserted values: the check of a delta's fingerprint costs what the
     * change costs, not what the list costs. Guarded by this.
     */
    private LinkedHashMap<String, long[]> zoneHashes;
    private final CountDownLatch first = new CountDownLatch(1);

    SubscriptionImpl(DataInfoId id, String registerId, SubscriptionObserver observer, LongAdder olderPushesDropped,
                     Runnable unregister) {
        this.id = id;
        this.registerId = registerId;
        this.observer = observer;
        this.olderPushesDropped = olderPushesDropped;
        this.unregister = unregister;
    }

    /** What observers get: every value in zone order, and the values by zone. */
    static SubscriptionData dataOf(DataInfoId id, long version, LinkedHashMap<String, List<String>> byZone) {
        List<String> all = new ArrayList<>();
        byZone.values().forEach(all::addAll);
        return new SubscriptionData(id, version, List.copyOf(all), Map.copyOf(byZone));
    }

    /** The registration, with the version it holds; {@code ip} is the address this client registers with. */
    RegisterSubscriberRequest toRequest(RegistryClientConfig config, String ip) {
        SubscriptionData held = current;
        return new RegisterSubscriberRequest(new Subscriber(id, registerId, config.appName(), ip, config.zone(),
                System.currentTimeMillis()), held == null ? 0 : held.version());
    }

    /**
     * A delta push: its splices applied to the lists this subscription holds. False when it
     * does not hold the push's base version, or the result's fingerprint is not the session's
     * (the session then pushes the full list); true when applied or already superseded.
     */
    synchronized boolean applyDelta(PushRequest push) {
        SubscriptionData last = current;
        if (last != null && push.version() <= last.version()) {
            return true; // it holds this version or a newer one
        }
        if (last == null || zones == null || last.version() != push.baseVersion()) {
            return false;
        }
        if (zoneHashes == null) {
            zoneHashes = PushDeltas.hashes(zones);
        }
        LinkedHashMap<String, List<String>> next;
        LinkedHashMap<String, long[]> nextHashes;
        try {
            next = PushDeltas.apply(zones, push.splices());
            nextHashes = PushDeltas.applyToHashes(zoneHashes, push.splices());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (ContentFingerprint.ofHashes(nextHashes) != push.fingerprint()) {
            return false;
        }
        next.replaceAll((zone, values) -> List.copyOf(values));
        deliver(dataOf(id, push.version(), next), next);
        zoneHashes = nextHashes;
        return true;
    }

    /** Versions never go backwards and a repeated version is not delivered twice. */
    synchronized void deliver(SubscriptionData data, LinkedHashMap<String, List<String>> orderedZones) {
        SubscriptionData last = current;
        if (last != null && data.version() <= last.version()) {
            if (data.version() < last.version()) {
                olderPushesDropped.increment(); // a server sent an older version: counted, never delivered
            }
            return;
        }
        current = data;
        zones = orderedZones;
        zoneHashes = null; // recomputed at the next delta (a delta path sets its own after this)
        try {
            observer.onUpdate(data);
        } catch (RuntimeException e) {
            log.error("subscription observer for {} failed", id, e);
        } finally {
            first.countDown(); // after the observer: a waiter sees what the observer was given
        }
    }

    @Override
    public Optional<SubscriptionData> awaitFirst(Duration timeout) throws InterruptedException {
        first.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return Optional.ofNullable(current);
    }

    @Override
    public DataInfoId dataInfoId() {
        return id;
    }

    @Override
    public String registerId() {
        return registerId;
    }

    @Override
    public Optional<SubscriptionData> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public void unregister() {
        unregister.run();
    }
}
