package dev.registry.session.catalog;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.CatalogChanged;
import dev.registry.common.protocol.CatalogPage;
import dev.registry.common.protocol.CatalogQuery;
import dev.registry.common.protocol.DataCatalogRequest;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.link.DataServerLinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The catalog of services: which ids have publishers, answered from the data servers (every
 * slot leader lists its led slots' ids; this merges the pages), and kept live for the groups
 * clients watch. A watched group's ids follow the data servers' change notices, which carry
 * each id's publisher count: an id whose count turns positive joins, one whose count drops to 0
 * leaves, and the group's watchers get the new list (coalesced within {@link #PUSH_DELAY}). A
 * reload from the data servers every {@link #RELOAD_INTERVAL} repairs anything a lost notice
 * missed. Thread-safe.
 */
public final class SessionCatalog {
    private static final Logger log = LoggerFactory.getLogger(SessionCatalog.class);
    static final Duration PUSH_DELAY = Duration.ofMillis(20);
    static final Duration RELOAD_INTERVAL = Duration.ofSeconds(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Catalog pages one connection may ask per second: each one reads every slot leader's ids,
     * so the general request rate (thousands a second) would let one client keep them all busy.
     */
    static final int QUERIES_PER_SECOND = 50;
    /** Groups one connection may watch at once. */
    static final int WATCHES_PER_CONNECTION = 64;

    private final SlotTableHolder tables;
    private final DataServerLinks links;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final LongAdder queries = new LongAdder();
    /** Per connection: {second, pages asked in it}. */
    private final Map<String, long[]> queryWindows = new ConcurrentHashMap<>();
    private final LongAdder pushes = new LongAdder();

    /** A watched group: its ids with publishers, its version, its watchers. Guarded by itself. */
    private static final class Group {
        final String name;
        final TreeMap<String, DataInfoId> ids = new TreeMap<>();
        /** Each watcher with what it may see (an app's subscribe ACL; everything without authentication). */
        final Map<RpcConnection, Predicate<DataInfoId>> watchers = new ConcurrentHashMap<>();
        long version;
        boolean loaded;
        boolean pushScheduled;

        Group(String name) {
            this.name = name;
        }
    }

    public SessionCatalog(SlotTableHolder tables, DataServerLinks links, ScheduledExecutorService scheduler) {
        this.tables = tables;
        this.links = links;
        this.scheduler = scheduler;
    }

    /** Reloads the watched groups from the data servers every {@link #RELOAD_INTERVAL}. */
    public void start() {
        long every = RELOAD_INTERVAL.toMillis();
        scheduler.scheduleWithFixedDelay(this::reloadAll, every, every, TimeUnit.MILLISECONDS);
    }

    // ---- queries ----

    /** One more catalog page for this connection, or UNAVAILABLE (retry later) beyond {@link #QUERIES_PER_SECOND}. */
    public void checkQueryRate(String connectionId, long nowMillis) {
        long second = nowMillis / 1000;
        long[] w = queryWindows.computeIfAbsent(connectionId, id -> new long[2]);
        synchronized (w) {
            if (w[0] != second) {
                w[0] = second;
                w[1] = 0;
            }
            if (++w[1] > QUERIES_PER_SECOND) {
                throw new RpcException(ErrorCode.UNAVAILABLE, "catalog queries are limited to " + QUERIES_PER_SECOND
                        + " pages a second per connection; retry shortly");
            }
        }
    }

    /** One page of the catalog, merged from every slot leader's page. */
    public CompletableFuture<CatalogPage> query(CatalogQuery query) {
        query.validated();
        queries.increment();
        SlotTable table = tables.current();
        Map<String, List<Integer>> slotsByLeader = new LinkedHashMap<>();
        for (int slot = 0; slot < table.slotCount(); slot++) {
            String leader = table.slot(slot).leader();
            if (leader == null) {
                return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "slot " + slot
                        + " has no leader at epoch " + table.epoch() + "; retry shortly"));
            }
            slotsByLeader.computeIfAbsent(leader, l -> new ArrayList<>()).add(slot);
        }
        List<CompletableFuture<CatalogPage>> pages = new ArrayList<>();
        slotsByLeader.forEach((leader, slots) -> pages.add(links.connection(leader).thenCompose(c -> c.call(
                new DataCatalogRequest(table.epoch(), slots, query), CatalogPage.class, CALL_TIMEOUT))));
        return CompletableFuture.allOf(pages.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            TreeMap<String, CatalogPage.Entry> merged = new TreeMap<>();
            boolean more = false;
            for (CompletableFuture<CatalogPage> f : pages) {
                CatalogPage page = f.join();
                more |= page.more();
                page.entries().forEach(e -> merged.put(e.id().canonical(), e));
            }
            while (merged.size() > query.limit()) {
                merged.pollLastEntry();
                more = true;
            }
            return CatalogPage.of(new ArrayList<>(merged.values()), more);
        });
    }

    /** Every id of a group with publishers, page after page. */
    private CompletableFuture<List<DataInfoId>> all(String group) {
        List<DataInfoId> out = new ArrayList<>();
        return collect(CatalogQuery.ofGroup(group), out).thenApply(v -> out);
    }

    private CompletableFuture<Void> collect(CatalogQuery query, List<DataInfoId> out) {
        return query(query).thenCompose(page -> {
            out.addAll(page.ids());
            if (!page.more() || page.ids().isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return collect(query.after(page.ids().get(page.ids().size() - 1)), out);
        });
    }

    // ---- watches ----

    /**
     * {@code connection} watches {@code group}, seeing only the ids {@code visible} lets through:
     * answered with the group's ids now, then sent every change.
     */
    public CompletableFuture<CatalogChanged> watch(RpcConnection connection, String group, Predicate<DataInfoId> visible) {
        if (group == null || group.isEmpty()) {
            throw new IllegalArgumentException("a catalog watch needs a group");
        }
        long watched = groups.values().stream().filter(x -> x.watchers.containsKey(connection)).count();
        Group already = groups.get(group);
        if (watched >= WATCHES_PER_CONNECTION && (already == null || !already.watchers.containsKey(connection))) {
            throw new IllegalArgumentException("a connection may watch at most " + WATCHES_PER_CONNECTION
                    + " catalog groups");
        }
        Group g = groups.computeIfAbsent(group, Group::new);
        g.watchers.put(connection, visible);
        synchronized (g) {
            if (g.loaded) {
                return CompletableFuture.completedFuture(snapshot(g, visible));
            }
        }
        return reload(g).thenApply(v -> {
            synchronized (g) {
                return snapshot(g, visible);
            }
        });
    }

    public void unwatch(RpcConnection connection, String group) {
        Group g = groups.get(group);
        if (g != null) {
            g.watchers.remove(connection);
        }
    }

    /** The connection closed: it watches nothing any more. */
    public void forget(RpcConnection connection) {
        queryWindows.remove(connection.id());
        for (Group g : groups.values()) {
            g.watchers.remove(connection);
        }
    }

    /** A data server's change notice: the id has {@code publishers} publishers now (-1: not told). */
    public void onNotice(DataInfoId id, int publishers) {
        if (publishers < 0) {
            return;
        }
        Group g = groups.get(id.group());
        if (g == null) {
            return;
        }
        synchronized (g) {
            boolean changed = publishers > 0 ? g.ids.putIfAbsent(id.canonical(), id) == null
                    : g.ids.remove(id.canonical()) != null;
            if (changed) {
                changedLocked(g);
            }
        }
    }

    private void reloadAll() {
        for (Group g : groups.values()) {
            if (g.watchers.isEmpty()) {
                groups.remove(g.name, g); // nobody watches it any more: stop following it
                continue;
            }
            reload(g).exceptionally(e -> {
                log.debug("catalog of group {} not reloaded: {}", g.name, e.getMessage());
                return null;
            });
        }
    }

    /** Reads the group from the data servers; a difference from what notices built is a change. */
    private CompletableFuture<Void> reload(Group g) {
        return all(g.name).thenAccept(ids -> {
            synchronized (g) {
                TreeMap<String, DataInfoId> fresh = new TreeMap<>();
                ids.forEach(id -> fresh.put(id.canonical(), id));
                boolean changed = !fresh.keySet().equals(g.ids.keySet());
                g.ids.clear();
                g.ids.putAll(fresh);
                if (!g.loaded) {
                    g.loaded = true;
                    g.version++;
                    // A notice that arrived while the first load read the data servers may have been
                    // overwritten by it: read once more shortly, rather than wait for the periodic reload.
                    try {
                        scheduler.schedule(() -> reload(g), 1, TimeUnit.SECONDS);
                    } catch (RuntimeException e) {
                        // the session is stopping
                    }
                } else if (changed) {
                    changedLocked(g);
                }
            }
        });
    }

    private void changedLocked(Group g) {
        g.version++;
        if (!g.loaded || g.pushScheduled || g.watchers.isEmpty()) {
            return;
        }
        g.pushScheduled = true;
        try {
            scheduler.schedule(() -> push(g), PUSH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            g.pushScheduled = false; // the session is stopping
        }
    }

    private void push(Group g) {
        Map<RpcConnection, CatalogChanged> out = new HashMap<>();
        synchronized (g) {
            g.pushScheduled = false;
            g.watchers.forEach((c, visible) -> out.put(c, snapshot(g, visible)));
        }
        out.forEach((c, changed) -> {
            if (c.isActive()) {
                pushes.increment();
                c.send(changed);
            }
        });
    }

    private static CatalogChanged snapshot(Group g, Predicate<DataInfoId> visible) {
        List<DataInfoId> ids = new ArrayList<>(Math.min(g.ids.size(), CatalogChanged.MAX_IDS));
        boolean truncated = false;
        for (DataInfoId id : g.ids.values()) {
            if (!visible.test(id)) {
                continue;
            }
            if (ids.size() == CatalogChanged.MAX_IDS) {
                truncated = true;
                break;
            }
            ids.add(id);
        }
        return new CatalogChanged(g.name, g.version, ids, truncated);
    }

    // ---- metrics ----

    /** Prometheus lines of the catalog. */
    public void appendMetrics(StringBuilder out) {
        int watchers = 0;
        for (Group g : groups.values()) {
            watchers += g.watchers.size();
        }
        out.append("# HELP registry_session_catalog_queries_total Catalog pages asked of this session.\n")
                .append("# TYPE registry_session_catalog_queries_total counter\n")
                .append("registry_session_catalog_queries_total ").append(queries.sum()).append('\n')
                .append("# HELP registry_session_catalog_pushes_total Catalog changes sent to watching clients.\n")
                .append("# TYPE registry_session_catalog_pushes_total counter\n")
                .append("registry_session_catalog_pushes_total ").append(pushes.sum()).append('\n')
                .append("# HELP registry_session_catalog_watchers Client watches of catalog groups.\n")
                .append("# TYPE registry_session_catalog_watchers gauge\n")
                .append("registry_session_catalog_watchers ").append(watchers).append('\n');
    }

    /** Groups followed now, for tests and the admin API. */
    Map<String, Integer> watchedGroups() {
        Map<String, Integer> out = new HashMap<>();
        groups.forEach((name, g) -> out.put(name, g.watchers.size()));
        return out;
    }
}
