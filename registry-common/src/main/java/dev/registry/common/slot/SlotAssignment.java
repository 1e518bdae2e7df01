package dev.registry.common.slot;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One slot's leader and followers (data server addresses {@code host:port}), and the table epoch
 * since which that leader has led the slot without a break ({@link #leaderSince}). Immutable
 * wire DTO.
 */
public final class SlotAssignment implements Serializable {
    private static final long serialVersionUID = 1L;

    private int slotId;
    private String leader;
    private List<String> followers;
    /** The epoch the leader took the slot at (0: not known, from a meta of an older build). */
    private long leaderSince;

    @SuppressWarnings("unused")
    private SlotAssignment() {
    }

    public SlotAssignment(int slotId, String leader, List<String> followers) {
        this(slotId, leader, followers, 0);
    }

    public SlotAssignment(int slotId, String leader, List<String> followers, long leaderSince) {
        this.slotId = slotId;
        this.leader = leader;
        this.followers = new ArrayList<>(followers); // concrete class for Hessian
        this.leaderSince = leaderSince;
    }

    /**
     * The table epoch since which {@link #leader} has led this slot without a break, 0 if not
     * known. A server that missed the tables in which it lost the slot and got it back sees its
     * tenure restart here (a new log, a closed read gate) instead of going on with a stale copy
     * as if it had led all along (found by the simulator, seed 176); sessions reconcile with it
     * as with a new leader.
     */
    public long leaderSince() {
        return leaderSince;
    }

    public int slotId() {
        return slotId;
    }

    /** The leader address, or null if no data server is alive. */
    public String leader() {
        return leader;
    }

    public List<String> followers() {
        return followers == null ? List.of() : Collections.unmodifiableList(followers);
    }

    public boolean involves(String server) {
        return Objects.equals(leader, server) || followers().contains(server);
    }

    /** Assignments compare by slot, leader and followers: {@link #leaderSince} follows from the history of tables. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SlotAssignment a && slotId == a.slotId && Objects.equals(leader, a.leader)
                && followers().equals(a.followers());
    }

    @Override
    public int hashCode() {
        return Objects.hash(slotId, leader, followers());
    }

    @Override
    public String toString() {
        return slotId + ":" + leader + followers();
    }
}
