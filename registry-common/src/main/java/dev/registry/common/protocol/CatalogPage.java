package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Session -> client, data -> session: one page of the catalog, ids with at least one publisher
 * and their publisher counts (parallel lists, sorted by canonical id), and whether more follow.
 * Wire DTO.
 */
public final class CatalogPage implements Serializable {
    private static final long serialVersionUID = 1L;

    private ArrayList<DataInfoId> ids;
    private ArrayList<Integer> publisherCounts;
    private boolean more;

    @SuppressWarnings("unused")
    private CatalogPage() {
    }

    public CatalogPage(List<DataInfoId> ids, List<Integer> publisherCounts, boolean more) {
        if (ids.size() != publisherCounts.size()) {
            throw new IllegalArgumentException("ids and counts must be parallel");
        }
        this.ids = new ArrayList<>(ids);
        this.publisherCounts = new ArrayList<>(publisherCounts);
        this.more = more;
    }

    public List<DataInfoId> ids() {
        return ids == null ? List.of() : ids;
    }

    public List<Integer> publisherCounts() {
        return publisherCounts == null ? List.of() : publisherCounts;
    }

    /** True if ids after this page's last one match too. */
    public boolean more() {
        return more;
    }

    @Override
    public String toString() {
        return "CatalogPage{" + ids().size() + " ids" + (more ? ", more" : "") + "}";
    }
}
