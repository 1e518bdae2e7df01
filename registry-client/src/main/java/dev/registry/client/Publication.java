package dev.registry.client;

import dev.registry.common.model.DataInfoId;

import java.util.List;

/** A registered publisher. Thread-safe. */
public interface Publication {

    DataInfoId dataInfoId();

    /** Stable id (128 random bits, 22 characters) that survives reconnects. */
    String registerId();

    /** The values currently published. */
    List<String> values();

    /**
     * Replaces the values and waits until the registry stored them.
     *
     * @throws RegistryException on timeout (the update stays and is re-sent on reconnect) or refusal
     */
    void update(List<String> values);

    /** Removes the publisher from the registry and waits for the acknowledgement (idempotent). */
    void unregister();
}
