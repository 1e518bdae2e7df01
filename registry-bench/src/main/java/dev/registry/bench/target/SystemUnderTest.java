package dev.registry.bench.target;

import java.util.List;

/** A registry started as separate processes on this machine, and how agents reach it. */
public interface SystemUnderTest extends AutoCloseable {

    /** Label in reports: ours, zookeeper, sofa, ours-cluster, zookeeper-ensemble. */
    String name();

    /** Driver class the agents load for it. */
    String driverClass();

    /**
     * Its client library publishes without blocking the caller (ours' publishAsync, SOFARegistry's
     * register): a few threads keep many registrations in flight. ZooKeeper's (Curator) blocks
     * the calling thread until the server answers, so its registrations in flight are threads.
     */
    default boolean publishesAsynchronously() {
        return !driverClass().contains("ZooKeeper");
    }

    /** Address string its client library takes. */
    String clientAddress();

    /** host:port that idle raw connections go to (one session / one server). */
    String connectionAddress();

    /** The server process whose heap is measured. */
    long heapPid();

    /** Command prefix that runs an agent next to it (SOFARegistry: inside its network namespace). */
    default List<String> agentPrefix() {
        return List.of();
    }

    /** Classpath of its agents; {@code own} is the bench's. */
    default String agentClasspath(String own) {
        return own;
    }

    /** Kills (-9) one server that holds data, under load; returns what it killed. */
    default String killDataServer() {
        throw new UnsupportedOperationException(name() + " has a single server");
    }

    /** One line on how it was run (versions, durability, timeouts), for the report. */
    String describe();

    @Override
    void close();
}
