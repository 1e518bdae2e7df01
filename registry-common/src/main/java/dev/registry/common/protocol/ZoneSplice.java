package dev.registry.common.protocol;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One zone's change in a delta push: in the zone's list, {@code removeCount} values from
 * {@code start} are replaced by {@code inserted}. A zone new to the subscriber starts empty; a
 * zone whose list ends empty is gone. See {@link PushDeltas}. Wire DTO.
 */
public final class ZoneSplice implements Serializable {
    private static final long serialVersionUID = 1L;

    private String zone;
    private int start;
    private int removeCount;
    private ArrayList<String> inserted;

    @SuppressWarnings("unused")
    private ZoneSplice() {
    }

    public ZoneSplice(String zone, int start, int removeCount, List<String> inserted) {
        if (start < 0 || removeCount < 0) {
            throw new IllegalArgumentException("a zone splice needs start >= 0 and removeCount >= 0, got " + start
                    + " and " + removeCount);
        }
        this.zone = zone;
        this.start = start;
        this.removeCount = removeCount;
        this.inserted = new ArrayList<>(inserted);
    }

    public String zone() {
        return zone;
    }

    public int start() {
        return start;
    }

    public int removeCount() {
        return removeCount;
    }

    public List<String> inserted() {
        return inserted == null ? List.of() : inserted;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZoneSplice z && java.util.Objects.equals(zone, z.zone) && start == z.start
                && removeCount == z.removeCount && inserted().equals(z.inserted());
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(zone, start, removeCount, inserted());
    }

    @Override
    public String toString() {
        return "ZoneSplice{" + zone + " @" + start + " -" + removeCount + " +" + inserted().size() + "}";
    }
}
