package dev.registry.common.slot;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** One slot's leader and followers (data server addresses {@code host:port}). Immutable wire DTO. */
public final class SlotAssignment implements Serializable {
    private static final long serialVersionUID = 1L;

    private int slotId;
    private String leader;
    private List<String> followers;

    @SuppressWarnings("unused")
    private SlotAssignment() {
    }

    public SlotAssignment(int slotId, String leader, List<String> followers) {
        this.slotId = slotId;
        this.leader = leader;
        this.followers = new ArrayList<>(followers); // concrete class for Hessian
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
