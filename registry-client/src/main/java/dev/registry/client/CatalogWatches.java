package dev.registry.client;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.CatalogChanged;
import dev.registry.common.protocol.CatalogWatchRequest;
import dev.registry.common.rpc.RpcConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A client's catalog watches: each group's observer gets the group's ids when the watch starts,
 * on every {@link CatalogChanged} the session sends, and after a reconnect (the new session's
 * answer to the re-sent watch). The same list is never delivered twice in a row, so a reconnect
 * to another session (whose versions are its own) delivers only a real difference. Thread-safe.
 */
final class CatalogWatches {
    private static final Logger log = LoggerFactory.getLogger(CatalogWatches.class);

    private final Map<String, WatchImpl> watches = new ConcurrentHashMap<>();

    /** Registers a watch; {@code send} carries its request to the session. */
    CatalogWatch start(String group, CatalogObserver observer, Function<Object, CompletableFuture<Object>> send) {
        if (group == null || group.isEmpty()) {
            throw new IllegalArgumentException("a catalog watch needs a group");
        }
        WatchImpl w = new WatchImpl(group, observer, send);
        if (watches.putIfAbsent(group, w) != null) {
            throw new IllegalStateException("group " + group + " is already watched by this client");
        }
        return w;
    }

    WatchImpl get(String group) {
        return watches.get(group);
    }

    /** After a (re)connect: every watch again, each answered with the group's ids now. */
    List<CompletableFuture<?>> rewatchAll(RpcConnection conn, Duration timeout) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (WatchImpl w : watches.values()) {
            // Never fatal to the connection: the session keeps the watch even if it could not read
            // the group yet, and sends the list once it could.
            all.add(conn.call(new CatalogWatchRequest(w.group, true), CatalogChanged.class, timeout)
                    .thenAccept(w::deliver).exceptionally(e -> {
                        log.debug("catalog watch of group {} not answered by {}: {}", w.group, conn.remoteAddress(),
                                e.getMessage());
                        return null;
                    }));
        }
        return all;
    }

    /** The session's message: a watched group changed. */
    Object onChanged(RpcConnection conn, CatalogChanged changed) {
        WatchImpl w = watches.get(changed.group());
        if (w != null) {
            w.deliver(changed);
        }
        return null;
    }

    final class WatchImpl implements CatalogWatch {
        private final String group;
        private final CatalogObserver observer;
        private final Function<Object, CompletableFuture<Object>> send;
        private volatile List<DataInfoId> current = List.of();
        private boolean delivered;
        private volatile boolean closed;

        WatchImpl(String group, CatalogObserver observer, Function<Object, CompletableFuture<Object>> send) {
            this.group = group;
            this.observer = observer;
            this.send = send;
        }

        synchronized void deliver(CatalogChanged changed) {
            if (closed) {
                return;
            }
            if (changed.truncated()) {
                log.warn("catalog group {} has more than {} ids with publishers; watchers see the first {}", group,
                        CatalogChanged.MAX_IDS, CatalogChanged.MAX_IDS);
            }
            List<DataInfoId> ids = List.copyOf(changed.ids());
            if (delivered && ids.equals(current)) {
                return;
            }
            delivered = true;
            current = ids;
            try {
                observer.onChange(ids);
            } catch (RuntimeException e) {
                log.error("catalog observer of group {} failed", group, e);
            }
        }

        @Override
        public String group() {
            return group;
        }

        @Override
        public List<DataInfoId> current() {
            return current;
        }

        @Override
        public void close() {
            closed = true;
            if (watches.remove(group, this)) {
                send.apply(new CatalogWatchRequest(group, false)).exceptionally(e -> null);
            }
        }
    }
}
