package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.rpc.Backoff;

import java.util.HashMap;
import java.util.Map;

/**
 * Consecutive failures per retry key, and the backoff before the next try. A key is an id (its
 * fetch failed), an id at one connection (a push to it failed), or an id's unexpected failures.
 *
 * <p>Threading: guarded by {@code this}.
 */
final class PushRetries {
    /** What {@link #nextDelayMillis} answers once a key failed more than {@code maxRetries} times. */
    static final long GIVE_UP = -1;

    private final Map<String, Integer> attempts = new HashMap<>();
    private final Backoff backoff;
    private final int maxRetries;

    PushRetries(Backoff backoff, int maxRetries) {
        this.backoff = backoff;
        this.maxRetries = maxRetries;
    }

    /** Key of an id's fetch. */
    static String fetchKey(DataInfoId id) {
        return id.canonical();
    }

    /** Key of the pushes of an id to one connection. */
    static String pushKey(DataInfoId id, PushTarget conn) {
        return id.canonical() + "@" + conn.id();
    }

    /**
     * Key of an id's rounds that failed unexpectedly: apart from {@link #fetchKey}, which a
     * successful fetch resets, so a round that always throws after its fetch still reaches
     * {@code maxRetries} instead of retrying forever.
     */
    static String unexpectedKey(DataInfoId id) {
        return id.canonical() + "#unexpected";
    }

    synchronized void succeeded(String key) {
        attempts.remove(key);
    }

    /** Counts a failure of the key: the delay before its next try, or {@link #GIVE_UP} (the key is then forgotten). */
    synchronized long nextDelayMillis(String key) {
        int attempt = attempts.merge(key, 1, Integer::sum);
        if (attempt > maxRetries) {
            attempts.remove(key);
            return GIVE_UP;
        }
        return backoff.delay(attempt - 1).toMillis();
    }
}
