package dev.registry.common.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The publishers of one {@link DataInfoId} at one version. Versions are assigned by the slot
 * leader and increase on every effective change. Immutable wire DTO.
 */
public final class Datum implements Serializable {
    private static final long serialVersionUID = 1L;

    private DataInfoId dataInfoId;
    private long version;
    private List<Publisher> publishers;
    /** Leader's wall-clock time of the change that produced this version (0 if never changed). */
    private long changedAtMillis;

    @SuppressWarnings("unused")
    private Datum() {
    }

    public Datum(DataInfoId dataInfoId, long version, List<Publisher> publishers) {
        this(dataInfoId, version, publishers, 0);
    }

    public Datum(DataInfoId dataInfoId, long version, List<Publisher> publishers, long changedAtMillis) {
        this.dataInfoId = Objects.requireNonNull(dataInfoId, "dataInfoId");
        this.version = version;
        this.changedAtMillis = changedAtMillis;
        this.publishers = new ArrayList<>(publishers); // concrete class for Hessian
    }

    public static Datum empty(DataInfoId id, long version) {
        return new Datum(id, version, List.of());
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

    public List<Publisher> publishers() {
        return publishers == null ? List.of() : Collections.unmodifiableList(publishers);
    }

    /** All values of all publishers, ordered by registration time then registerId (stable). */
    public List<String> values() {
        List<String> out = new ArrayList<>();
        for (Publisher p : orderedPublishers()) {
            out.addAll(p.values());
        }
        return out;
    }

    /** Values grouped by publisher zone (publishers without a zone go under {@code ""}). */
    public Map<String, List<String>> valuesByZone() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Publisher p : orderedPublishers()) {
            String zone = p.zone() == null ? "" : p.zone();
            out.computeIfAbsent(zone, z -> new ArrayList<>()).addAll(p.values());
        }
        return out;
    }

    private List<Publisher> orderedPublishers() {
        List<Publisher> sorted = new ArrayList<>(publishers());
        sorted.sort(Comparator.comparingLong(Publisher::registeredAtMillis).thenComparing(Publisher::registerId));
        return sorted;
    }

    @Override
    public String toString() {
        return "Datum{" + dataInfoId + " v" + version + " publishers=" + publishers().size() + "}";
    }
}
