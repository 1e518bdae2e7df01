package dev.registry.meta.store;

import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaseLostException;
import dev.registry.meta.lease.LeaseRecord;
import dev.registry.meta.lease.LeaseRules;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * A meta store in this process's memory, with the same rules as the database: for a meta
 * without a database (nothing survives a restart, no second meta can share it) and for tests,
 * which drive its clock. Thread-safe (every method synchronized).
 */
public final class InMemoryMetaStore implements MetaStore {
    private final LongSupplier clockMillis;
    private LeaseRecord lease = LeaseRecord.NONE;
    private SlotTable slotTable;
    private OperationalSwitches switches = new OperationalSwitches(0, List.of(), false);

    /** @param clockMillis the "database" clock */
    public InMemoryMetaStore(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    @Override
    public void init() {
    }

    @Override
    public synchronized LeaseRecord acquireOrRenew(String candidateId, String candidateAddress, Duration leaseDuration) {
        lease = LeaseRules.acquireOrRenew(lease, candidateId, candidateAddress, clockMillis.getAsLong(),
                leaseDuration.toMillis());
        return lease;
    }

    @Override
    public synchronized void release(String candidateId) {
        lease = LeaseRules.release(lease, candidateId, clockMillis.getAsLong());
    }

    @Override
    public synchronized long raiseTerm(String candidateId, long term, long aboveTerm) {
        checkHolder(candidateId, term);
        lease = LeaseRules.raiseTerm(lease, candidateId, term, aboveTerm, clockMillis.getAsLong());
        return lease.term();
    }

    @Override
    public synchronized Optional<SlotTable> loadSlotTable() {
        return Optional.ofNullable(slotTable);
    }

    @Override
    public synchronized void saveSlotTable(String holderId, long term, SlotTable table) {
        checkHolder(holderId, term);
        slotTable = table;
    }

    @Override
    public synchronized OperationalSwitches loadSwitches() {
        return switches;
    }

    @Override
    public synchronized OperationalSwitches updateSwitches(UnaryOperator<OperationalSwitches> change) {
        OperationalSwitches next = change.apply(switches);
        if (!next.sameValues(switches)) {
            switches = next.withVersion(switches.version() + 1);
        }
        return switches;
    }

    /** The lease row as it is now. */
    public synchronized LeaseRecord lease() {
        return lease;
    }

    private void checkHolder(String holderId, long term) {
        if (!LeaseRules.mayWrite(lease, holderId, term, clockMillis.getAsLong())) {
            throw new LeaseLostException("not the leader: the lease is held by " + lease.holderAddress()
                    + " in term " + lease.term() + ", not by this node in term " + term);
        }
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public String description() {
        return "in-memory (not persisted)";
    }

    @Override
    public void close() {
    }
}
