package dev.registry.common.protocol;

import java.io.Serializable;
import java.util.ArrayList;

/** Slot leader -> session: versions in the order of the request's ids (0 = never written). Wire DTO. */
public final class DatumVersions implements Serializable {
    private static final long serialVersionUID = 1L;

    private ArrayList<Long> versions;

    @SuppressWarnings("unused")
    private DatumVersions() {
    }

    public DatumVersions(ArrayList<Long> versions) {
        this.versions = versions;
    }

    public ArrayList<Long> versions() {
        return versions == null ? new ArrayList<>() : versions;
    }

    @Override
    public String toString() {
        return "DatumVersions{" + versions().size() + "}";
    }
}
