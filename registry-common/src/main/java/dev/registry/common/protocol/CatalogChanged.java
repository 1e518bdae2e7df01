package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Session -> client: the ids of a watched group that have publishers now (sorted), after a
 * change; {@code version} grows with every change the session saw. At most
 * {@link #MAX_IDS} ids: beyond, {@code truncated} is set and the client pages with
 * {@link CatalogQuery}. Wire DTO.
 */
public final class CatalogChanged implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int MAX_IDS = 10_000;

    private String group;
    private long version;
    private ArrayList<DataInfoId> ids;
    private boolean truncated;

    @SuppressWarnings("unused")
    private CatalogChanged() {
    }

    public CatalogChanged(String group, long version, List<DataInfoId> ids, boolean truncated) {
        this.group = group;
        this.version = version;
        this.ids = new ArrayList<>(ids);
        this.truncated = truncated;
    }

    public String group() {
        return group;
    }

    public long version() {
        return version;
    }

    public List<DataInfoId> ids() {
        return ids == null ? List.of() : ids;
    }

    public boolean truncated() {
        return truncated;
    }

    @Override
    public String toString() {
        return "CatalogChanged{group=" + group + " v" + version + " " + ids().size() + " ids" + (truncated ? " truncated" : "") + "}";
    }
}
