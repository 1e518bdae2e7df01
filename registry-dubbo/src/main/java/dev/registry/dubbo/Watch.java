package dev.registry.dubbo;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryException;
import dev.registry.client.Subscription;
import dev.registry.common.model.DataInfoId;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One subscription to one id: keeps the last pushed values and lets a caller wait for the first
 * list. Dubbo expects a subscribe to come back with the current addresses (a consumer with
 * {@code check=true} fails right after otherwise), while the registry answers a subscribe with an
 * acknowledgement and pushes the list just after it: this closes that gap.
 */
final class Watch implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Watch.class);
    private final CountDownLatch first = new CountDownLatch(1);
    private final Consumer<List<String>> onChange;
    private volatile List<String> values = List.of();
    private volatile Subscription subscription;
    private volatile boolean closed;

    private Watch(Consumer<List<String>> onChange) {
        this.onChange = onChange;
    }

    /**
     * Subscribes; {@code onChange} runs on a registry client thread after every push (the first
     * included), so it must only hand work over, never block.
     */
    static Watch start(RegistryClient client, DataInfoId id, Consumer<List<String>> onChange) {
        Watch w = new Watch(onChange);
        w.subscription = client.subscribe(id, data -> {
            log.debug("push of {} version {}: {} values", data.dataInfoId(), data.version(), data.values().size());
            w.onPush(data.values());
        });
        return w;
    }

    private void onPush(List<String> pushed) {
        values = pushed;
        try {
            if (!closed) {
                onChange.accept(pushed);
            }
        } finally {
            // After onChange: whoever waited for the first list finds it handled (a subscriber's
            // state filled in), not only received.
            first.countDown();
        }
    }

    /** The values now, after waiting up to {@code wait} for the first push. */
    List<String> awaitFirst(Duration wait) {
        try {
            if (!first.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new RegistryException("no list for " + subscription.dataInfoId() + " within "
                        + wait.toMillis() + " ms", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted waiting for " + subscription.dataInfoId(), e);
        }
        return values;
    }

    List<String> values() {
        return values;
    }

    @Override
    public void close() {
        closed = true;
        Subscription s = subscription;
        if (s != null) {
            s.unregister();
        }
    }
}
