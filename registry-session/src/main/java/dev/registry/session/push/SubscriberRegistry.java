package dev.registry.session.push;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Subscriber;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The subscribers connected to this session and, per subscriber, the datum version last
 * pushed to it. Decides who needs a push: exactly the subscribers whose pushed version is
 * older than the datum's, so versions pushed to one subscriber never go backwards.
 *
 * <p>Threading: all methods synchronized; the single owner of subscriber state.
 *
 * @param <C> the connection type ({@link PushTarget} in the server; anything in tests); connections
 *            are matched with {@code equals}
 */
public final class SubscriberRegistry<C> {

    /**
     * One push to send: a connection and the subscribers on it that need this version, all
     * holding {@code deltaBase} when it is positive (they may get a delta from it), else a full push.
     */
    public record PushBatch<C>(C connection, List<String> subscriberIds, long deltaBase) {
        public PushBatch(C connection, List<String> subscriberIds) {
            this(connection, subscriberIds, -1);
        }

        public boolean isDelta() {
            return deltaBase > 0;
        }
    }

    /** Who subscribed: the same few per client process, so one shared instance per distinct triple. */
    private record Origin(String appName, String ip, String zone) {
    }

    private static final com.google.common.collect.Interner<Origin> ORIGINS =
            com.google.common.collect.Interners.newWeakInterner();

    /**
     * One subscriber, flattened (no {@link Subscriber} object kept, its app, ip and zone shared
     * with the other subscribers of its client, the id is the map key's): 40 bytes instead of 72.
     * {@link #subscribersOf} rebuilds the subscribers.
     */
    private static final class Entry<C> {
        final String registerId;
        final Origin origin;
        final long registeredAtMillis;
        final C connection;
        long pushedVersion = -1;

        Entry(Subscriber subscriber, C connection) {
            this.registerId = subscriber.registerId();
            this.origin = ORIGINS.intern(new Origin(subscriber.appName(), subscriber.ip(), subscriber.zone()));
            this.registeredAtMillis = subscriber.registeredAtMillis();
            this.connection = connection;
        }

        Subscriber toSubscriber(DataInfoId id) {
            return new Subscriber(id, registerId, origin.appName(), origin.ip(), origin.zone(), registeredAtMillis);
        }
    }

    /**
     * The subscribers of one id, and the content fingerprint of the newest version a push round
     * saw: a subscriber holding that version needs no push of a newer one with the same content.
     * A subclass, not a holder object: one object per id fewer.
     */
    @SuppressWarnings("serial")
    private static final class IdSubscribers<C> extends HashMap<String, Entry<C>> {
        long contentVersion = -1;
        long contentFingerprint;
        /** The highest version any subscriber of the id was pushed or said it held (never goes down). */
        long maxPushed = -1;
    }

    private final Map<DataInfoId, IdSubscribers<C>> byId = new HashMap<>();
    /** Subscribers per connection, for the per-connection cap. */
    private final Map<C, Integer> perConnection = new HashMap<>();

    /** Adds or replaces (same registerId) a subscriber; a replacement starts with nothing pushed. */
    public synchronized void add(Subscriber subscriber, C connection) {
        add(subscriber, connection, -1);
    }

    /**
     * Adds or replaces a subscriber that already holds {@code knownVersion} (a client that
     * re-registers after moving from another session says what it has): nothing older or equal
     * is pushed to it, so its versions never go backwards across sessions either.
     */
    public synchronized void add(Subscriber subscriber, C connection, long knownVersion) {
        Entry<C> e = new Entry<>(subscriber, connection);
        e.pushedVersion = Math.max(-1, knownVersion);
        // HashMap, not LinkedHashMap: the order of pushes does not matter, 8 bytes per subscriber do.
        IdSubscribers<C> subs = byId.computeIfAbsent(subscriber.dataInfoId(), id -> new IdSubscribers<>());
        subs.maxPushed = Math.max(subs.maxPushed, e.pushedVersion);
        Entry<C> replaced = subs.put(subscriber.registerId(), e);
        if (replaced != null) {
            uncount(replaced.connection, 1);
        }
        perConnection.merge(connection, 1, Integer::sum);
    }

    /** Subscribers registered through one connection. */
    public synchronized int countOn(C connection) {
        return perConnection.getOrDefault(connection, 0);
    }

    private void uncount(C connection, int n) {
        perConnection.computeIfPresent(connection, (c, count) -> count - n <= 0 ? null : count - n);
    }

    /** The connection a subscriber registered through; null if unknown. */
    public synchronized C holderOf(DataInfoId id, String registerId) {
        Map<String, Entry<C>> subs = byId.get(id);
        Entry<C> e = subs == null ? null : subs.get(registerId);
        return e == null ? null : e.connection;
    }

    public synchronized boolean remove(DataInfoId id, String registerId) {
        Map<String, Entry<C>> subs = byId.get(id);
        Entry<C> removed = subs == null ? null : subs.remove(registerId);
        if (removed == null) {
            return false;
        }
        uncount(removed.connection, 1);
        if (subs.isEmpty()) {
            byId.remove(id);
        }
        return true;
    }

    /** Drops every subscriber of a closed connection; returns how many. */
    public synchronized int removeConnection(C connection) {
        int removed = 0;
        for (var it = byId.values().iterator(); it.hasNext(); ) {
            Map<String, Entry<C>> subs = it.next();
            int before = subs.size();
            subs.values().removeIf(e -> e.connection.equals(connection));
            removed += before - subs.size();
            if (subs.isEmpty()) {
                it.remove();
            }
        }
        perConnection.remove(connection);
        return removed;
    }

    /**
     * A push round fetched {@code version} of {@code id}, whose content has {@code fingerprint}.
     * Subscribers that hold the previous version the rounds saw, with the same content, are moved
     * to {@code version} without a push: their list would not change (a flapping publisher that
     * re-registered, a publisher re-stamped by another session). Returns how many.
     */
    public synchronized int advanceUnchanged(DataInfoId id, long version, long fingerprint) {
        IdSubscribers<C> subs = byId.get(id);
        if (subs == null || version <= subs.contentVersion) {
            return 0;
        }
        int advanced = 0;
        if (subs.contentVersion >= 0 && subs.contentFingerprint == fingerprint) {
            for (Entry<C> e : subs.values()) {
                if (e.pushedVersion == subs.contentVersion) {
                    e.pushedVersion = version;
                    advanced++;
                }
            }
        }
        subs.contentVersion = version;
        subs.contentFingerprint = fingerprint;
        if (advanced > 0) {
            subs.maxPushed = Math.max(subs.maxPushed, version);
        }
        return advanced;
    }

    /** The pushes needed to bring every subscriber of {@code id} to {@code version}, grouped by connection. */
    public synchronized List<PushBatch<C>> pushesNeeded(DataInfoId id, long version) {
        return pushesNeeded(id, version, -1);
    }

    /**
     * As {@link #pushesNeeded(DataInfoId, long)}, with the subscribers that hold exactly
     * {@code deltaBase} (when positive) in batches of their own: they can be sent a delta.
     */
    public synchronized List<PushBatch<C>> pushesNeeded(DataInfoId id, long version, long deltaBase) {
        Map<String, Entry<C>> subs = byId.get(id);
        if (subs == null) {
            return List.of();
        }
        Map<C, List<String>> full = new LinkedHashMap<>();
        Map<C, List<String>> delta = new LinkedHashMap<>();
        for (Entry<C> e : subs.values()) {
            if (e.pushedVersion < version) {
                boolean fromBase = deltaBase > 0 && e.pushedVersion == deltaBase;
                (fromBase ? delta : full).computeIfAbsent(e.connection, c -> new ArrayList<>()).add(e.registerId);
            }
        }
        List<PushBatch<C>> out = new ArrayList<>();
        full.forEach((c, ids) -> out.add(new PushBatch<>(c, ids)));
        delta.forEach((c, ids) -> out.add(new PushBatch<>(c, ids, deltaBase)));
        return out;
    }

    /**
     * The client could not apply a delta for these subscribers (it does not hold what this
     * session believed): they are treated as holding nothing, so the next round pushes them the
     * full list.
     */
    public synchronized void markResync(DataInfoId id, C connection, List<String> subscriberIds) {
        forEachOn(id, connection, subscriberIds, e -> e.pushedVersion = -1);
    }

    /** The listed subscribers of the id that are still on that connection (caller holds the lock). */
    private void forEachOn(DataInfoId id, C connection, List<String> subscriberIds,
                           java.util.function.Consumer<Entry<C>> action) {
        Map<String, Entry<C>> subs = byId.get(id);
        if (subs == null) {
            return;
        }
        for (String rid : subscriberIds) {
            Entry<C> e = subs.get(rid);
            if (e != null && e.connection.equals(connection)) {
                action.accept(e);
            }
        }
    }

    /** Records an acknowledged push; ignores subscribers that left or moved to another connection. */
    public synchronized void markPushed(DataInfoId id, C connection, List<String> subscriberIds, long version) {
        forEachOn(id, connection, subscriberIds, e -> e.pushedVersion = Math.max(e.pushedVersion, version));
        IdSubscribers<C> subs = byId.get(id);
        if (subs != null) {
            subs.maxPushed = Math.max(subs.maxPushed, version);
        }
    }

    /** The highest version pushed to (or held by) a subscriber of {@code id}, -1 if none; O(1). */
    public synchronized long maxPushedVersion(DataInfoId id) {
        IdSubscribers<C> subs = byId.get(id);
        return subs == null ? -1 : subs.maxPushed;
    }

    /** True if any subscriber of {@code id} has been pushed something older than {@code version}. */
    public synchronized boolean anyBehind(DataInfoId id, long version) {
        Map<String, Entry<C>> subs = byId.get(id);
        return subs != null && subs.values().stream().anyMatch(e -> e.pushedVersion < version);
    }

    public synchronized boolean hasSubscribers(DataInfoId id) {
        return byId.containsKey(id);
    }

    public synchronized Set<DataInfoId> subscribedIds() {
        return new TreeSet<>(byId.keySet());
    }

    public synchronized List<Subscriber> subscribersOf(DataInfoId id) {
        Map<String, Entry<C>> subs = byId.get(id);
        List<Subscriber> out = new ArrayList<>();
        if (subs != null) {
            subs.values().forEach(e -> out.add(e.toSubscriber(id)));
        }
        return out;
    }

    /** How many subscribe to an id here, and the lowest and highest version pushed to them (-1: none yet). */
    public record PushState(int subscribers, long minPushedVersion, long maxPushedVersion) {
    }

    /** The push state of every subscribed id that {@code include} lets through: one pass over the ids, for admin reads. */
    public synchronized Map<DataInfoId, PushState> pushStates(java.util.function.Predicate<DataInfoId> include) {
        Map<DataInfoId, PushState> out = new HashMap<>();
        byId.forEach((id, subs) -> {
            if (include.test(id)) {
                out.put(id, pushState(subs));
            }
        });
        return out;
    }

    /** The push state of one id (0 subscribers if none). */
    public synchronized PushState pushState(DataInfoId id) {
        IdSubscribers<C> subs = byId.get(id);
        return subs == null ? new PushState(0, -1, -1) : pushState(subs);
    }

    private static PushState pushState(Map<String, ? extends Entry<?>> subs) {
        long min = Long.MAX_VALUE;
        long max = -1;
        for (Entry<?> e : subs.values()) {
            min = Math.min(min, e.pushedVersion);
            max = Math.max(max, e.pushedVersion);
        }
        return new PushState(subs.size(), subs.isEmpty() ? -1 : min, max);
    }

    /** The version last pushed to each subscriber of an id, by registerId (-1: nothing yet). */
    public synchronized Map<String, Long> pushedVersions(DataInfoId id) {
        Map<String, Long> out = new HashMap<>();
        IdSubscribers<C> subs = byId.get(id);
        if (subs != null) {
            subs.forEach((registerId, e) -> out.put(registerId, e.pushedVersion));
        }
        return out;
    }

    public synchronized int size() {
        return byId.values().stream().mapToInt(Map::size).sum();
    }
}
