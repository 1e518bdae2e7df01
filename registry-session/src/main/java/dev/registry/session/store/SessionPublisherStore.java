package dev.registry.session.store;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.slot.SlotHash;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The publishers registered through this session, by key and by client connection: the
 * session's own copy and the source of truth for re-syncing data servers.
 *
 * <p>Threading: all methods synchronized; this class is the single owner of that state.
 */
public final class SessionPublisherStore {

    /** What {@link #put} did. */
    public enum PutOutcome { ADDED, UPDATED, STALE }

    /**
     * The publishers by slot of their DataInfoId, then by key: a slot's reconciliation reads
     * one slot's map instead of walking every publisher (it runs for every slot on a timer).
     */
    private final List<Map<PublisherKey, Publisher>> bySlot;
    private final int slotCount;
    private int size;
    /** Per slot: XOR of the sync fingerprints of the publishers held (see Publisher#syncFingerprint). */
    private final long[] slotXor;
    private final Map<String, Set<PublisherKey>> byConnection = new HashMap<>();
    /** Client IPs taken out of service (client-off): their publishers are held but not published. */
    private final Set<String> offIps = new HashSet<>();
    /** Publishers of clients asked to move, withdrawn from data servers only after a grace period. */
    private final Map<PublisherKey, Publisher> withdrawing = new HashMap<>();

    public SessionPublisherStore(int slotCount) {
        if (slotCount <= 0) {
            throw new IllegalArgumentException("slotCount must be positive: " + slotCount);
        }
        this.slotCount = slotCount;
        this.slotXor = new long[slotCount];
        this.bySlot = new ArrayList<>(slotCount);
        for (int i = 0; i < slotCount; i++) {
            bySlot.add(new HashMap<>());
        }
    }

    private Map<PublisherKey, Publisher> slotOf(PublisherKey key) {
        return bySlot.get(SlotHash.slotOf(key.dataInfoId(), slotCount));
    }

    private void fingerprint(Publisher p) {
        slotXor[SlotHash.slotOf(p.dataInfoId(), slotCount)] ^= p.syncFingerprint();
    }

    /** Count and fingerprint XOR of a slot's desired publishers, or null while client-off IPs make them differ. */
    public synchronized long[] slotSummary(int slot) {
        if (!offIps.isEmpty()) {
            return null;
        }
        return new long[] {bySlot.get(slot).size(), slotXor[slot]};
    }

    /**
     * Stores a publisher stamped with its connection. An older client version than the one
     * held is refused (STALE); the same registerId from a new connection moves it there.
     */
    public synchronized PutOutcome put(Publisher stamped) {
        // In the all-in-one process the data server then stores this very object (no second copy).
        Publisher publisher = dev.registry.common.protocol.WireInterner.registration(stamped);
        PublisherKey key = new PublisherKey(publisher.dataInfoId(), publisher.registerId());
        Map<PublisherKey, Publisher> publishers = slotOf(key);
        Publisher existing = publishers.get(key);
        if (existing != null && existing.version() > publisher.version()) {
            return PutOutcome.STALE;
        }
        if (existing != null && !existing.connectionId().equals(publisher.connectionId())) {
            detach(existing.connectionId(), key);
        }
        publishers.put(key, publisher);
        if (existing == null) {
            size++;
        } else {
            fingerprint(existing);
        }
        fingerprint(publisher);
        withdrawing.remove(key);
        byConnection.computeIfAbsent(publisher.connectionId(), c -> new HashSet<>()).add(key);
        return existing == null ? PutOutcome.ADDED : PutOutcome.UPDATED;
    }

    /** Publishers stored for one connection. */
    public synchronized int countOn(String connectionId) {
        Set<PublisherKey> keys = byConnection.get(connectionId);
        return keys == null ? 0 : keys.size();
    }

    /** The connection a stored publisher came through; null if the key is not stored. */
    public synchronized String holderOf(PublisherKey key) {
        Publisher p = slotOf(key).get(key);
        return p == null ? null : p.connectionId();
    }

    /** Removes a publisher if it is held for that connection (null = any); returns it or null. */
    public synchronized Publisher remove(PublisherKey key, String connectionId) {
        Map<PublisherKey, Publisher> publishers = slotOf(key);
        Publisher existing = publishers.get(key);
        if (existing == null || (connectionId != null && !connectionId.equals(existing.connectionId()))) {
            return null;
        }
        publishers.remove(key);
        fingerprint(existing);
        size--;
        detach(existing.connectionId(), key);
        return existing;
    }

    /** Removes every publisher of a connection that closed; returns them. */
    public synchronized List<Publisher> removeConnection(String connectionId) {
        Set<PublisherKey> keys = byConnection.remove(connectionId);
        List<Publisher> removed = new ArrayList<>();
        if (keys != null) {
            for (PublisherKey key : keys) {
                Publisher p = slotOf(key).remove(key);
                if (p != null) {
                    fingerprint(p);
                    size--;
                    removed.add(p);
                }
            }
        }
        return removed;
    }

    /** The publisher as it should be on the data servers: null if absent or its client IP is off. */
    public synchronized Publisher desired(PublisherKey key) {
        Publisher p = slotOf(key).get(key);
        return p == null || offIps.contains(p.ip()) ? null : p;
    }

    /** The publisher held for this key, whether or not its IP is off. */
    public synchronized Publisher get(PublisherKey key) {
        return slotOf(key).get(key);
    }

    /** Takes an IP out of service (true) or back in (false); returns the publishers of that IP. */
    public synchronized List<Publisher> setIpOff(String ip, boolean off) {
        if (off) {
            offIps.add(ip);
        } else {
            offIps.remove(ip);
        }
        List<Publisher> out = new ArrayList<>();
        for (Map<PublisherKey, Publisher> publishers : bySlot) {
            for (Publisher p : publishers.values()) {
                if (ip.equals(p.ip())) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    public synchronized Set<String> offIps() {
        return new java.util.TreeSet<>(offIps);
    }

    /** The publishers of a slot as they should be on its leader (client-off IPs excluded). */
    public synchronized List<Publisher> desiredInSlot(int slot) {
        List<Publisher> out = new ArrayList<>();
        for (Publisher p : bySlot.get(slot).values()) {
            if (offIps.isEmpty() || !offIps.contains(p.ip())) {
                out.add(p);
            }
        }
        return out;
    }

    public synchronized List<Publisher> publishersOf(DataInfoId id) {
        List<Publisher> out = new ArrayList<>();
        for (Publisher p : bySlot.get(SlotHash.slotOf(id, slotCount)).values()) {
            if (p.dataInfoId().equals(id)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Marks publishers of a moved client: kept on the data servers until {@link #finishWithdrawing}. */
    public synchronized void markWithdrawing(List<Publisher> moved) {
        for (Publisher p : moved) {
            withdrawing.put(new PublisherKey(p.dataInfoId(), p.registerId()), p);
        }
    }

    /** Ends the grace of one moved publisher; true if it is still this session's to withdraw. */
    public synchronized boolean finishWithdrawing(Publisher p) {
        return withdrawing.remove(new PublisherKey(p.dataInfoId(), p.registerId()), p);
    }

    /** A moved client's publisher in its grace period: neither re-sent nor withdrawn meanwhile. */
    public synchronized boolean isWithdrawing(PublisherKey key) {
        return withdrawing.containsKey(key);
    }

    /** Publishers held per DataInfoId. */
    public synchronized Map<DataInfoId, Integer> countsById() {
        Map<DataInfoId, Integer> out = new HashMap<>();
        for (Map<PublisherKey, Publisher> publishers : bySlot) {
            for (Publisher p : publishers.values()) {
                out.merge(p.dataInfoId(), 1, Integer::sum);
            }
        }
        return out;
    }

    public synchronized int size() {
        return size;
    }

    public synchronized int connectionCount() {
        return byConnection.size();
    }

    private void detach(String connectionId, PublisherKey key) {
        Set<PublisherKey> keys = byConnection.get(connectionId);
        if (keys != null) {
            keys.remove(key);
            if (keys.isEmpty()) {
                byConnection.remove(connectionId);
            }
        }
    }
}
