package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Session -> client, data -> session: one page of the catalog, ids with at least one publisher,
 * their publisher counts and when each last changed (parallel lists, sorted by canonical id), and
 * whether more follow. Wire DTO.
 */
public final class CatalogPage implements Serializable {
    private static final long serialVersionUID = 1L;

    private ArrayList<DataInfoId> ids;
    private ArrayList<Integer> publisherCounts;
    private boolean more;
    /** Absent (null) from servers older than this field: {@link #changedAtMillis(int)} is then 0. */
    private ArrayList<Long> changedAtMillis;

    /** One id of a page. */
    public record Entry(DataInfoId id, int publishers, long changedAtMillis) {
    }

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

    /** A page of these entries (in their order). */
    public static CatalogPage of(List<Entry> entries, boolean more) {
        CatalogPage page = new CatalogPage(entries.stream().map(Entry::id).toList(),
                entries.stream().map(Entry::publishers).toList(), more);
        page.changedAtMillis = new ArrayList<>(entries.stream().map(Entry::changedAtMillis).toList());
        return page;
    }

    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(ids().size());
        for (int i = 0; i < ids().size(); i++) {
            out.add(new Entry(ids().get(i), publisherCounts().get(i), changedAtMillis(i)));
        }
        return out;
    }

    /** When the i-th id's publishers last changed (epoch millis; 0 if the server did not say). */
    public long changedAtMillis(int i) {
        return changedAtMillis == null || i >= changedAtMillis.size() ? 0 : changedAtMillis.get(i);
    }

    /** This page with only the ids {@code keep} lets through. */
    public CatalogPage filter(java.util.function.Predicate<DataInfoId> keep) {
        return of(entries().stream().filter(e -> keep.test(e.id())).toList(), more);
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
