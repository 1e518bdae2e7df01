package dev.registry.server;

import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaseRecord;
import dev.registry.meta.store.MetaStore;
import dev.registry.meta.store.MetaStoreException;

import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** A meta store that a test can cut off, as a network partition between one meta and the database would. */
final class FaultyMetaStore implements MetaStore {
    private final MetaStore delegate;
    private volatile boolean cut;

    FaultyMetaStore(MetaStore delegate) {
        this.delegate = delegate;
    }

    void cut() {
        cut = true;
    }

    void heal() {
        cut = false;
    }

    private void check() {
        if (cut) {
            throw new MetaStoreException("database unreachable (partitioned by the test)");
        }
    }

    @Override
    public void init() {
        check();
        delegate.init();
    }

    @Override
    public LeaseRecord acquireOrRenew(String candidateId, String candidateAddress, Duration lease) {
        check();
        return delegate.acquireOrRenew(candidateId, candidateAddress, lease);
    }

    @Override
    public void release(String candidateId) {
        check();
        delegate.release(candidateId);
    }

    @Override
    public long raiseTerm(String candidateId, long term, long aboveTerm) {
        check();
        return delegate.raiseTerm(candidateId, term, aboveTerm);
    }

    @Override
    public Optional<SlotTable> loadSlotTable() {
        check();
        return delegate.loadSlotTable();
    }

    @Override
    public void saveSlotTable(String holderId, long term, SlotTable table) {
        check();
        delegate.saveSlotTable(holderId, term, table);
    }

    @Override
    public OperationalSwitches loadSwitches() {
        check();
        return delegate.loadSwitches();
    }

    @Override
    public OperationalSwitches updateSwitches(UnaryOperator<OperationalSwitches> change) {
        check();
        return delegate.updateSwitches(change);
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
