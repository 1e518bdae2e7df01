package dev.registry.common.slot;

import dev.registry.common.model.DataInfoId;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The slot table: for every slot its leader and followers, and an epoch that the meta leader
 * increments on every change. Holders compare epochs and keep the newest table. Immutable wire DTO.
 */
public final class SlotTable implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_SLOT_COUNT = 256;

    private long epoch;
    private List<SlotAssignment> slots;

    @SuppressWarnings("unused")
    private SlotTable() {
    }

    public SlotTable(long epoch, List<SlotAssignment> slots) {
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).slotId() != i) {
                throw new IllegalArgumentException("slot " + i + " has id " + slots.get(i).slotId());
            }
        }
        this.epoch = epoch;
        this.slots = new ArrayList<>(slots); // concrete class for Hessian
    }

    /** Epoch 0, every slot without a leader: what a node holds before meta answered. */
    public static SlotTable initial(int slotCount) {
        List<SlotAssignment> slots = new ArrayList<>(slotCount);
        for (int i = 0; i < slotCount; i++) {
            slots.add(new SlotAssignment(i, null, List.of()));
        }
        return new SlotTable(0, slots);
    }

    public long epoch() {
        return epoch;
    }

    public int slotCount() {
        return slots().size();
    }

    public List<SlotAssignment> slots() {
        return slots == null ? List.of() : Collections.unmodifiableList(slots);
    }

    public SlotAssignment slot(int slotId) {
        return slots().get(slotId);
    }

    public int slotOf(DataInfoId id) {
        return SlotHash.slotOf(id, slotCount());
    }

    public SlotAssignment assignmentOf(DataInfoId id) {
        return slot(slotOf(id));
    }

    /** True when every slot has a leader. */
    public boolean isComplete() {
        return slotCount() > 0 && slots().stream().allMatch(s -> s.leader() != null);
    }

    /** Every data server named anywhere in the table, sorted. */
    public Set<String> servers() {
        Set<String> out = new TreeSet<>();
        for (SlotAssignment s : slots()) {
            if (s.leader() != null) {
                out.add(s.leader());
            }
            out.addAll(s.followers());
        }
        return out;
    }

    public List<Integer> slotsLedBy(String server) {
        List<Integer> out = new ArrayList<>();
        for (SlotAssignment s : slots()) {
            if (server.equals(s.leader())) {
                out.add(s.slotId());
            }
        }
        return out;
    }

    public SlotTable withEpoch(long newEpoch) {
        return new SlotTable(newEpoch, slots());
    }

    /** Same assignment of every slot (epochs may differ). */
    public boolean sameAssignments(SlotTable other) {
        return slots().equals(other.slots());
    }

    @Override
    public String toString() {
        return "SlotTable{epoch=" + epoch + " slots=" + slotCount() + " servers=" + servers() + "}";
    }
}
