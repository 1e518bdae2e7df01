package dev.registry.server;

import dev.registry.client.SubscriptionData;
import dev.registry.client.SubscriptionObserver;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every callback, so tests can assert on the whole push history. */
final class RecordingObserver implements SubscriptionObserver {
    final List<SubscriptionData> received = new CopyOnWriteArrayList<>();

    @Override
    public void onUpdate(SubscriptionData data) {
        received.add(data);
    }

    SubscriptionData last() {
        return received.isEmpty() ? null : received.get(received.size() - 1);
    }

    List<String> lastValues() {
        SubscriptionData d = last();
        return d == null ? null : d.values();
    }

    /** Versions strictly increase across all callbacks. */
    boolean versionsIncrease() {
        for (int i = 1; i < received.size(); i++) {
            if (received.get(i).version() <= received.get(i - 1).version()) {
                return false;
            }
        }
        return true;
    }
}
