package dev.registry.common.protocol;

import dev.registry.common.model.Datum;
import java.io.Serializable;
import java.util.ArrayList;

/** Slot leader -> follower: full datums. Wire DTO. */
public final class DatumBatch implements Serializable {
    private static final long serialVersionUID = 1L;

    private ArrayList<Datum> datums;

    @SuppressWarnings("unused")
    private DatumBatch() {
    }

    public DatumBatch(ArrayList<Datum> datums) {
        this.datums = datums;
    }

    public ArrayList<Datum> datums() {
        return datums;
    }

    @Override
    public String toString() {
        return "DatumBatch{" + "datums=" + datums + "}";
    }
}
