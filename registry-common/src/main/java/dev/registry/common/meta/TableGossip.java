package dev.registry.common.meta;

import dev.registry.common.slot.SlotTable;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * Slot tables from peers while meta is silent. A node that missed a table change (cut off from
 * meta just then, and meta down after) would otherwise go on with the old table for as long as
 * meta stays away: a data server meta removed would keep serving the slots it no longer leads,
 * and a session would keep reading them there, values withdrawn since included (simulator seeds
 * 400298, 400631). So once meta has not answered for {@code quietMillis}, every tick asks the
 * servers of the node's own table for theirs, and a newer one (by term and epoch, as from meta)
 * is installed. Peers only relay tables meta issued; the term fences a deposed meta's. Ticks
 * come from the owner's scheduler; calls are asynchronous.
 */
public final class TableGossip {
    private final String self;
    private final java.util.function.Supplier<SlotTable> tables;
    private final BiFunction<String, Object, CompletableFuture<?>> call;
    private final LongSupplier millisSinceMeta;
    private final long quietMillis;
    private final java.util.function.Consumer<SlotTable> install;

    /**
     * @param self            this node's address in tables (not asked)
     * @param tables          the table this node holds now
     * @param call            sends a request to a server and completes with its answer
     * @param millisSinceMeta how long since meta last answered (Long.MAX_VALUE: never)
     * @param install         installs a newer table as one from meta would be (listeners, log line)
     */
    public TableGossip(String self, java.util.function.Supplier<SlotTable> tables, BiFunction<String, Object, CompletableFuture<?>> call,
                       LongSupplier millisSinceMeta, long quietMillis, java.util.function.Consumer<SlotTable> install) {
        this.self = self;
        this.tables = tables;
        this.call = call;
        this.millisSinceMeta = millisSinceMeta;
        this.quietMillis = quietMillis;
        this.install = install;
    }

    /**
     * The gossip of a member whose tables come from {@code meta}: quiet after two heartbeat
     * intervals without an answer; a newer table installs as meta's would.
     */
    public static TableGossip of(MetaClient meta, String self, java.util.function.Supplier<SlotTable> tables,
                                 BiFunction<String, Object, CompletableFuture<?>> call, java.time.Duration heartbeatInterval) {
        return new TableGossip(self, tables, call, meta::millisSinceLastSuccess, 2 * heartbeatInterval.toMillis(),
                meta::installFromPeer);
    }

    /** Ticks once a second on {@code scheduler} (a failing tick is logged, the next one runs). */
    public void tickEverySecond(java.util.concurrent.ScheduledExecutorService scheduler) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.warn("asking peers for the slot table failed", e);
            }
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableGossip.class);

    /** Asks the table's servers for theirs if meta has been quiet too long; returns how many were asked. */
    public int tick() {
        SlotTable held = tables.get();
        if (millisSinceMeta.getAsLong() < quietMillis || held.epoch() == 0) {
            return 0; // meta answers (or this node never had a table to compare)
        }
        int asked = 0;
        for (String server : held.servers()) {
            if (server.equals(self)) {
                continue;
            }
            asked++;
            call.apply(server, new dev.registry.common.protocol.GetSlotTableRequest()).whenComplete((answer, error) -> {
                if (answer instanceof SlotTable theirs && theirs.isNewerThan(tables.get())) {
                    install.accept(theirs);
                }
            });
        }
        return asked;
    }
}
