package dev.registry.common.protocol;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Session -> data server: the catalog page of these slots (which it leads at {@code epoch}). Answer: {@link CatalogPage}. Wire DTO. */
public final class DataCatalogRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private ArrayList<Integer> slots;
    private CatalogQuery query;

    @SuppressWarnings("unused")
    private DataCatalogRequest() {
    }

    public DataCatalogRequest(long epoch, List<Integer> slots, CatalogQuery query) {
        this.epoch = epoch;
        this.slots = new ArrayList<>(slots);
        this.query = query;
    }

    public long epoch() {
        return epoch;
    }

    public List<Integer> slots() {
        return slots == null ? List.of() : slots;
    }

    public CatalogQuery query() {
        return query;
    }

    @Override
    public String toString() {
        return "DataCatalogRequest{epoch=" + epoch + " slots=" + slots().size() + " " + query + "}";
    }
}
