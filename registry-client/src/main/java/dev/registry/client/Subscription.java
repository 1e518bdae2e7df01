package dev.registry.client;

import dev.registry.common.model.DataInfoId;

import java.util.Optional;

/** A registered subscriber. Thread-safe. */
public interface Subscription {

    DataInfoId dataInfoId();

    String registerId();

    /** The last list received, if any: kept across reconnects (never reset to empty by the client). */
    Optional<SubscriptionData> current();

    /**
     * Waits, at most {@code timeout}, for the first list: {@code subscribe} returns once the
     * session acknowledged, and the first push follows shortly (later while a slot's new leader
     * reconciles). Empty if none came in time.
     */
    Optional<SubscriptionData> awaitFirst(java.time.Duration timeout) throws InterruptedException;

    /** Stops receiving updates (idempotent). */
    void unregister();
}
