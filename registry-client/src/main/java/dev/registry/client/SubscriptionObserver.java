package dev.registry.client;

/**
 * Receives the full provider list whenever it changes (and once after subscribing).
 * Called on a registry client thread, in version order; keep it quick.
 */
@FunctionalInterface
public interface SubscriptionObserver {
    void onUpdate(SubscriptionData data);
}
