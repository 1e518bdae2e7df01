package dev.registry.client;

import dev.registry.common.model.DataInfoId;

import java.util.List;

/**
 * Receives the ids of a watched group that have publishers: once when the watch starts, then
 * after every change (sorted; never the same list twice in a row). Called on a registry client
 * thread; keep it quick.
 */
@FunctionalInterface
public interface CatalogObserver {
    void onChange(List<DataInfoId> ids);
}
