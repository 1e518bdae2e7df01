package dev.registry.client;

import dev.registry.common.model.DataInfoId;

import java.util.Optional;

/** A registered subscriber. Thread-safe. */
public interface Subscription {

    DataInfoId dataInfoId();

    String registerId();

    /** The last list received, if any: kept across reconnects (never reset to empty by the client). */
    Optional<SubscriptionData> current();

    /** Stops receiving updates (idempotent). */
    void unregister();
}
