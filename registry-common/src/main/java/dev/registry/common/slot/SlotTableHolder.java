package dev.registry.common.slot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * The newest slot table a node has seen. Tables only move forward by (term, epoch): a table
 * from an older meta term is refused even with a higher epoch (fencing of a deposed meta
 * leader). Listeners are told (old, new) on the updating thread after each accepted change,
 * in the order of the changes. Thread-safe.
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

    /**
     * Installs the table if it is newer by (term, epoch); returns whether it was installed.
     * Installing and telling the listeners happen under one lock: two updates racing (a table
     * pushed by meta and an older one in a heartbeat answer) must reach the listeners in the
     * order they were installed, or a data server applies epoch 3 after epoch 4 and stops
     * leading slots the current table gives it.
     */
    public synchronized boolean update(SlotTable table) {
        if (table == null) {
            return false;
        }
        SlotTable old = current.get();
        if (!table.isNewerThan(old)) {
            return false;
        }
        if (table.slotCount() != old.slotCount()) {
            throw new IllegalArgumentException("slot count changed from " + old.slotCount() + " to "
                    + table.slotCount() + "; the slot count of a live cluster never changes");
        }
        current.set(table);
        for (BiConsumer<SlotTable, SlotTable> l : listeners) {
            l.accept(old, table);
        }
        return true;
    }

    public void addListener(BiConsumer<SlotTable, SlotTable> listener) {
        listeners.add(listener);
    }
}
