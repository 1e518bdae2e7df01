package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Slot leader -> session, for a push round: one id's values by zone at one version, and when
 * that version was made. A push needs nothing else of the publishers, so a round moves and
 * decodes a value per publisher instead of ten fields. Wire DTO.
 */
public final class DatumValues implements Serializable {
    private static final long serialVersionUID = 1L;

    private DataInfoId dataInfoId;
    private long version;
    private long changedAtMillis;
    private LinkedHashMap<String, ArrayList<String>> valuesByZone;

    @SuppressWarnings("unused")
    private DatumValues() {
    }

    public DatumValues(DataInfoId dataInfoId, long version, long changedAtMillis,
                       LinkedHashMap<String, ArrayList<String>> valuesByZone) {
        this.dataInfoId = Objects.requireNonNull(dataInfoId, "dataInfoId");
        this.version = version;
        this.changedAtMillis = changedAtMillis;
        this.valuesByZone = valuesByZone == null ? new LinkedHashMap<>() : valuesByZone;
    }

    /** The values of a datum, grouped and ordered as {@link Datum#valuesByZone()} does. */
    public static DatumValues of(Datum datum) {
        LinkedHashMap<String, ArrayList<String>> byZone = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : datum.valuesByZone().entrySet()) {
            byZone.put(e.getKey(), new ArrayList<>(e.getValue()));
        }
        return new DatumValues(datum.dataInfoId(), datum.version(), datum.changedAtMillis(), byZone);
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    public long version() {
        return version;
    }

    public long changedAtMillis() {
        return changedAtMillis;
    }

    /** Shared, do not modify. */
    public LinkedHashMap<String, ArrayList<String>> valuesByZone() {
        return valuesByZone == null ? new LinkedHashMap<>() : valuesByZone;
    }

    @Override
    public String toString() {
        return "DatumValues{" + dataInfoId + " v" + version + " zones=" + valuesByZone().keySet() + "}";
    }
}
