package dev.registry.common.protocol;

import java.io.Serializable;

/**
 * Client -> session: tell me (with {@link CatalogChanged}) whenever the ids of this group with
 * publishers change; {@code watch = false} stops it. Answered with the group's current
 * {@link CatalogChanged}. Wire DTO.
 */
public final class CatalogWatchRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private String group;
    private boolean watch;

    @SuppressWarnings("unused")
    private CatalogWatchRequest() {
    }

    public CatalogWatchRequest(String group, boolean watch) {
        this.group = group;
        this.watch = watch;
    }

    public String group() {
        return group;
    }

    public boolean watch() {
        return watch;
    }

    @Override
    public String toString() {
        return "CatalogWatchRequest{group=" + group + " watch=" + watch + "}";
    }
}
