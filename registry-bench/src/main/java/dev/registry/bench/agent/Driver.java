package dev.registry.bench.agent;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One registry's client API as the bench drives it: C client connections, publishers that
 * carry one value, subscribers that receive the whole list. Implementations block until the
 * registry acknowledged, except where the client API is asynchronous ({@link #isAcknowledged}).
 *
 * <p>Loaded by class name in the agent process, so a driver's client library is only needed
 * on the classpath of the agents that use it (SOFARegistry's client never meets ours).
 */
public interface Driver extends AutoCloseable {

    /** Opens {@code clients} client connections to {@code address}. */
    void connect(String address, int clients, Map<String, String> options) throws Exception;

    /** Registers a publisher with one value through client {@code client}; returns its handle. */
    Object publish(int client, String dataId, String value) throws Exception;

    /** True once the registry acknowledged the publisher (always, for blocking clients). */
    default boolean isAcknowledged(Object handle) {
        return true;
    }

    /** Runs {@code action} once the registry acknowledged (or refused) the publisher: at once for blocking clients. */
    default void whenAcknowledged(Object handle, Runnable action) {
        action.run();
    }

    /** Why an acknowledged-as-done asynchronous publish failed; null if it succeeded (always, for blocking clients). */
    default Throwable failure(Object handle) {
        return null;
    }

    /** Replaces the publisher's value. */
    void update(Object handle, String value) throws Exception;

    /** Subscribes; {@code onList} receives every value of the service on each notification. */
    void subscribe(int client, String dataId, Consumer<List<String>> onList) throws Exception;

    /** Whatever must exist before a service can be watched (ZooKeeper: its path); by default nothing. */
    default void prepare(String dataId) throws Exception {
    }

    /**
     * The lightest subscriber a registry of this kind keeps per consumer (ours: a subscriber;
     * ZooKeeper: a child watch on the service path, as Dubbo's ZooKeeper registry sets).
     */
    Object watchOnly(int client, String dataId) throws Exception;

    @Override
    void close();
}
