package dev.registry.client;

import dev.registry.common.model.DataInfoId;

import java.util.List;

/** A watch of a catalog group ({@link RegistryClient#watchCatalog}); kept across reconnects until closed. */
public interface CatalogWatch extends AutoCloseable {
    String group();

    /** The ids last delivered (empty before the first answer). */
    List<DataInfoId> current();

    /** Stops the watch; the observer is not called again. */
    @Override
    void close();
}
