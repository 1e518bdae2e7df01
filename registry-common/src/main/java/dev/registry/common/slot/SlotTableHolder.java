package dev.registry.common.slot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * The newest slot table a node has seen. Tables only move forward by (term, epoch): a table
 * from an older meta term is refused even with a higher epoch (fencing of a deposed meta
 * leader). Listeners are told (old, new) on the updating thread after each accepted change.
 * Thread-safe.
 */
public final class SlotTableHolder {
    private final AtomicReference<SlotTable> current;
    private final List<BiConsumer<SlotTable, SlotTable>> listeners = new CopyOnWriteArrayList<>();

    public SlotTableHolder(int slotCount) {
        this.current = new AtomicReference<>(SlotTable.initial(slotCount));
    }

    public SlotTable current() {
        return current.get();
    }

    public long epoch() {
        return current.get().epoch();
    }

    /** Term of the meta leadership that made the current table. */
    public long term() {
        return current.get().term();
    }

    /** Installs the table if it is newer by (term, epoch); returns whether it was installed. */
    public boolean update(SlotTable table) {
        if (table == null) {
            return false;
        }
        while (true) {
            SlotTable old = current.get();
            if (!table.isNewerThan(old)) {
                return false;
            }
            if (table.slotCount() != old.slotCount()) {
                throw new IllegalArgumentException("slot count changed from " + old.slotCount() + " to "
                        + table.slotCount() + "; the slot count of a live cluster never changes");
            }
            if (current.compareAndSet(old, table)) {
                for (BiConsumer<SlotTable, SlotTable> l : listeners) {
                    l.accept(old, table);
                }
                return true;
            }
        }
    }

    public void addListener(BiConsumer<SlotTable, SlotTable> listener) {
        listeners.add(listener);
    }
}
