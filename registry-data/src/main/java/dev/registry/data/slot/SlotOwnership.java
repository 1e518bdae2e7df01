package dev.registry.data.slot;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;

import java.util.function.IntPredicate;

/**
 * Decides whether this data server may serve a request for a slot: it must lead the slot in
 * its newest table, and the request's epoch must not be newer than that table (else this
 * server has not seen the change yet and the caller must retry). A write or a session's
 * reconciliation also waits until replication has taken the slot over. Thread-safe.
 */
public final class SlotOwnership {
    private final String self;
    private final SlotTableHolder tables;
    private final Runnable refreshTable;
    private final IntPredicate replicationLeads;

    /**
     * @param replicationLeads whether replication plays the leader of a slot already (it adopts a
     *                         new table just after {@code tables} holds it)
     */
    public SlotOwnership(String self, SlotTableHolder tables, Runnable refreshTable, IntPredicate replicationLeads) {
        this.self = self;
        this.tables = tables;
        this.refreshTable = refreshTable;
        this.replicationLeads = replicationLeads;
    }

    /**
     * @throws RpcException NOT_LEADER carrying this server's epoch when it does not lead the slot
     *                      at an epoch at least as new as the request's
     */
    public void checkLeader(int slotId, long requestEpoch) {
        SlotTable table = tables.current();
        if (slotId < 0 || slotId >= table.slotCount()) {
            throw new IllegalArgumentException("slot " + slotId + " out of range [0, " + table.slotCount() + ")");
        }
        if (requestEpoch > table.epoch()) {
            refreshTable.run();
            throw new RpcException(ErrorCode.NOT_LEADER, "data server " + self + " has slot table epoch "
                    + table.epoch() + ", older than the request's " + requestEpoch + "; retry", table.epoch());
        }
        SlotAssignment slot = table.slot(slotId);
        if (!self.equals(slot.leader())) {
            throw new RpcException(ErrorCode.NOT_LEADER, "data server " + self + " does not lead slot " + slotId
                    + " at epoch " + table.epoch() + " (leader: " + slot.leader() + ")", table.epoch());
        }
    }

    /**
     * {@link #checkLeader}, and replication has taken the slot over.
     *
     * @throws RpcException NOT_LEADER ("taking over; retry") while it has not
     */
    public void checkTakenOver(int slotId, long requestEpoch) {
        checkLeader(slotId, requestEpoch);
        if (!replicationLeads.test(slotId)) {
            throw new RpcException(ErrorCode.NOT_LEADER, self + " is taking over slot " + slotId + "; retry",
                    tables.epoch());
        }
    }

    /**
     * True when {@code epoch} is older than the table in which this server's lead of the slot began:
     * a session's "synced" that speaks of a digest answered by an earlier leader (it reached this
     * server through the retry of a call that outlived the table change), which says nothing
     * about this server's copy.
     */
    public boolean predatesTenure(int slotId, long epoch) {
        return epoch < tables.current().slot(slotId).leaderSince();
    }

    /** @throws IllegalArgumentException if {@code id} belongs to another slot than {@code slotId} */
    public void checkSlot(int slotId, DataInfoId id) {
        int expected = SlotHash.slotOf(id, tables.current().slotCount());
        if (slotId != expected) {
            throw new IllegalArgumentException(id + " belongs to slot " + expected + ", not " + slotId);
        }
    }

    /** The request's id, validated. */
    public static DataInfoId requireId(DataInfoId id) {
        if (id == null) {
            throw new IllegalArgumentException("dataInfoId is required");
        }
        return id.validate();
    }

    public String self() {
        return self;
    }

    public SlotTable table() {
        return tables.current();
    }
}
