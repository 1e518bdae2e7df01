package dev.registry.data.slot;

import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;

/**
 * Decides whether this data server may serve a request for a slot: it must lead the slot in
 * its newest table, and the request's epoch must not be newer than that table (else this
 * server has not seen the change yet and the caller must retry). Thread-safe.
 */
public final class SlotOwnership {
    private final String self;
    private final SlotTableHolder tables;
    private final Runnable refreshTable;

    public SlotOwnership(String self, SlotTableHolder tables, Runnable refreshTable) {
        this.self = self;
        this.tables = tables;
        this.refreshTable = refreshTable;
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

    public String self() {
        return self;
    }

    public SlotTable table() {
        return tables.current();
    }
}
