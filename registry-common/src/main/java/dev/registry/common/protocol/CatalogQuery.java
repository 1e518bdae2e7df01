package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;

import java.io.Serializable;

/**
 * Client -> session, and (as the filter of {@link DataCatalogRequest}) session -> data: which
 * ids with at least one publisher to list. Every filter is optional; ids come sorted by their
 * canonical form, at most {@code limit} after the cursor {@code after}. Wire DTO.
 */
public final class CatalogQuery implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Ids per page at most. */
    public static final int MAX_LIMIT = 10_000;

    private String group;
    private String instanceId;
    private String dataIdPrefix;
    private String after;
    private int limit;

    @SuppressWarnings("unused")
    private CatalogQuery() {
    }

    /**
     * @param group        only ids of this group; null: any
     * @param instanceId   only ids of this instance id; null: any
     * @param dataIdPrefix only dataIds starting so; null: any
     * @param after        the canonical form of the last id of the previous page; null: from the start
     * @param limit        ids per page, 1..{@link #MAX_LIMIT}
     */
    public CatalogQuery(String group, String instanceId, String dataIdPrefix, String after, int limit) {
        this.group = group;
        this.instanceId = instanceId;
        this.dataIdPrefix = dataIdPrefix;
        this.after = after;
        this.limit = limit;
    }

    /** Every id of a group, from the start. */
    public static CatalogQuery ofGroup(String group) {
        return new CatalogQuery(group, null, null, null, MAX_LIMIT);
    }

    /** The next page after {@code last}. */
    public CatalogQuery after(DataInfoId last) {
        return new CatalogQuery(group, instanceId, dataIdPrefix, last.canonical(), limit);
    }

    /** IllegalArgumentException naming what is wrong. */
    public CatalogQuery validated() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("catalog limit must be 1.." + MAX_LIMIT + ", was " + limit);
        }
        return this;
    }

    /** True if {@code id} passes the filters and lies after the cursor. */
    public boolean matches(DataInfoId id) {
        return (group == null || group.equals(id.group())) && (instanceId == null || instanceId.equals(id.instanceId()))
                && (dataIdPrefix == null || id.dataId().startsWith(dataIdPrefix))
                && (after == null || id.canonical().compareTo(after) > 0);
    }

    public String group() {
        return group;
    }

    public String instanceId() {
        return instanceId;
    }

    public String dataIdPrefix() {
        return dataIdPrefix;
    }

    public String after() {
        return after;
    }

    public int limit() {
        return limit;
    }

    @Override
    public String toString() {
        return "CatalogQuery{group=" + group + " instanceId=" + instanceId + " prefix=" + dataIdPrefix + " after=" + after
                + " limit=" + limit + "}";
    }
}
