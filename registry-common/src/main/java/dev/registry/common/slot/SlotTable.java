package dev.registry.common.slot;

import dev.registry.common.model.DataInfoId;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The slot table: for every slot its leader and followers, the epoch that the meta leader
 * increments on every change, and the term of the meta leadership that made it. Holders keep
 * the newest table by (term, epoch): a table from an older term is refused whatever its epoch,
 * so a deposed meta leader cannot install anything. Immutable wire DTO.
 */
public final class SlotTable implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_SLOT_COUNT = 256;

    /** Term of the meta leadership that made the table; 0 for a table no leader made. */
    private long term;
    private long epoch;
    private List<SlotAssignment> slots;

    @SuppressWarnings("unused")
    private SlotTable() {
    }

    /** A table of term 0 (tests, and tables from before meta leaders had terms). */
    public SlotTable(long epoch, List<SlotAssignment> slots) {
        this(0, epoch, slots);
    }

    public SlotTable(long term, long epoch, List<SlotAssignment> slots) {
        if (term < 0) {
            throw new IllegalArgumentException("term must not be negative: " + term);
        }
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).slotId() != i) {
                throw new IllegalArgumentException("slot " + i + " has id " + slots.get(i).slotId());
            }
        }
        this.term = term;
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

    public long term() {
        return term;
    }

    /** True when this table replaces {@code other}: a newer term, or the same term and a newer epoch. */
    public boolean isNewerThan(SlotTable other) {
        return term != other.term ? term > other.term : epoch > other.epoch;
    }

    public int slotCount() {
        return slots == null ? 0 : slots.size(); // per request on the write path: no wrapper
    }

    public List<SlotAssignment> slots() {
        return slots == null ? List.of() : Collections.unmodifiableList(slots);
    }

    public SlotAssignment slot(int slotId) {
        if (slots == null) {
            throw new IndexOutOfBoundsException("slot " + slotId + " of an empty table");
        }
        return slots.get(slotId);
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

    public List<Integer> slotsFollowedBy(String server) {
        List<Integer> out = new ArrayList<>();
        for (SlotAssignment s : slots()) {
            if (s.followers().contains(server)) {
                out.add(s.slotId());
            }
        }
        return out;
    }

    /** Same term and assignments, another epoch. */
    public SlotTable withEpoch(long newEpoch) {
        return new SlotTable(term, newEpoch, slots());
    }

    /** Same assignments, stamped by a (new) meta leadership. */
    public SlotTable withTermAndEpoch(long newTerm, long newEpoch) {
        return new SlotTable(newTerm, newEpoch, slots());
    }

    /** Same assignment of every slot (epochs may differ). */
    public boolean sameAssignments(SlotTable other) {
        return slots().equals(other.slots());
    }

    @Override
    public String toString() {
        return "SlotTable{term=" + term + " epoch=" + epoch + " slots=" + slotCount() + " servers=" + servers() + "}";
    }
}
