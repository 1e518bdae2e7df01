package dev.registry.meta.store;

import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaseLostException;
import dev.registry.meta.lease.LeaseStore;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Everything meta keeps outside its memory: the leader lease, the slot table (so a new leader
 * starts from the last one and moves nothing), and the operational switches. Thread-safe;
 * methods block up to the store's timeouts and throw {@link MetaStoreException} when the store
 * cannot be reached.
 */
public interface MetaStore extends LeaseStore, AutoCloseable {

    /** Creates or checks the schema; fails with a clear message on a bad URL, password or schema. */
    void init();

    /** The last slot table a leader saved, if any. */
    Optional<SlotTable> loadSlotTable();

    /**
     * Saves the table, only while {@code holderId} holds a live lease in {@code term} (checked in
     * the same transaction): a deposed leader cannot write.
     *
     * @throws LeaseLostException if it does not
     */
    void saveSlotTable(String holderId, long term, SlotTable table);

    OperationalSwitches loadSwitches();

    /**
     * Applies {@code change} to the stored switches atomically; the version goes up by one when
     * a value changes. Any meta node may call it (an operator's intent needs no leadership).
     *
     * @return the switches now stored
     */
    OperationalSwitches updateSwitches(UnaryOperator<OperationalSwitches> change);

    /**
     * False for a store in this process's memory: its state dies with the process, so members
     * may legitimately hold tables of terms it never issued.
     */
    default boolean persistent() {
        return true;
    }

    /** For logs and the admin API: the database without secrets. */
    String description();

    /** A meta node and how long ago it last tried the leader lease (by the database's clock). */
    record MetaNodePresence(String address, long lastSeenMillisAgo) {
    }

    /** Every meta node that ever used this database, with when it was last seen; empty if unknown. */
    default List<MetaNodePresence> metaNodes() {
        return List.of();
    }

    @Override
    void close();
}
