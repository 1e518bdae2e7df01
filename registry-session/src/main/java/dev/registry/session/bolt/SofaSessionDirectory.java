package dev.registry.session.bolt;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.slot.SlotHash;
import dev.registry.session.store.PublisherKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Answers the discovery requests of SOFARegistry's client ({@code GET /api/servers/queryWithWeight}
 * and {@code /api/servers/query} on the session's admin HTTP port, 9603 by default) with every
 * live session's Bolt address, weighted by its number of client connections (lower = preferred).
 *
 * <p>Sessions learn each other's Bolt address and load through the registry itself: each
 * session keeps one publisher of its own under {@link #ENDPOINTS} with the value
 * {@code host:boltPort?weight=N}, refreshed when its connection count changes. Like any
 * publisher it lives in the session's store, so it survives data-server failover, and it
 * disappears with its session (the data servers' session grace); meanwhile meta's member list
 * filters out sessions that are gone. Entries are trusted only if they carry the marker
 * connection id {@link #OWN_CONNECTION}, which a client cannot set (sessions stamp client
 * publishers with the client's connection id).
 *
 * <p>Threading: {@link #refresh} runs on the session timer; queries on admin threads; the
 * cache is a volatile snapshot.
 */
final class SofaSessionDirectory {
    private static final Logger log = LoggerFactory.getLogger(SofaSessionDirectory.class);
    static final DataInfoId ENDPOINTS = DataInfoId.of("registry.sofa-bolt-endpoints", "REGISTRY_SYSTEM", null);
    static final String OWN_CONNECTION = "session";
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(2);

    private final SofaClientPort.Session session;
    private final String boltAddress;
    private final IntSupplier boltConnections;
    private final PublisherKey ownKey;
    private final long registeredAtMillis;
    /** Guarded by this: what was last put into the store, and its client version. */
    private int publishedWeight = -1;
    private long publishedVersion;
    private boolean withdrawn;
    private volatile Cached cache;

    private record Cached(Datum datum, long fetchedAtMillis) {
    }

    SofaSessionDirectory(SofaClientPort.Session session, String boltAddress,
                         IntSupplier boltConnections) {
        this.session = session;
        this.boltAddress = boltAddress;
        this.boltConnections = boltConnections;
        this.ownKey = new PublisherKey(ENDPOINTS, registerIdOf(session.sessionId()));
        this.registeredAtMillis = session.clock().millis();
    }

    private static String registerIdOf(String sessionId) {
        return "sofa-bolt@" + sessionId;
    }

    /** Connections of both client ports: the load a client compares. */
    int weight() {
        return session.ownClientConnections().getAsInt() + boltConnections.getAsInt();
    }

    String ownEntry() {
        return boltAddress + "?weight=" + weight();
    }

    /** Publishes this session's entry if it is new or its weight changed. */
    void refresh() {
        Publisher entry;
        synchronized (this) {
            int weight = weight();
            if (withdrawn || weight == publishedWeight) {
                return;
            }
            // Client versions must grow across restarts too: a restarted session starts above the old one.
            publishedVersion = Math.max(publishedVersion + 1, session.clock().millis());
            publishedWeight = weight;
            entry = new Publisher(ENDPOINTS, ownKey.registerId(), publishedVersion,
                    List.of(boltAddress + "?weight=" + weight), "registry-session", null, null, registeredAtMillis,
                    session.sessionId(), OWN_CONNECTION);
            session.publishers().put(entry);
        }
        session.syncer().sync(ownKey).whenComplete((v, e) -> {
            if (e != null) {
                log.debug("cannot publish the Bolt endpoint yet: {}", e.getMessage());
            }
        });
    }

    /** Stops listing this session (it is draining): other sessions stop sending it clients. */
    void withdraw() {
        Publisher removed;
        synchronized (this) {
            withdrawn = true;
            removed = session.publishers().remove(ownKey, OWN_CONNECTION);
        }
        if (removed != null) {
            session.syncer().syncRemoval(removed);
        }
    }

    /** The server list: {@code host:port?weight=N;...} (weighted) or {@code host:port;...}. */
    String serverList(boolean weighted) {
        List<String> entries = new ArrayList<>();
        boolean listSelf;
        synchronized (this) {
            listSelf = !withdrawn;
        }
        if (listSelf) {
            entries.add(ownEntry());
        }
        Collection<String> live = session.liveSessions().get();
        for (Publisher p : endpoints().publishers()) {
            boolean trusted = OWN_CONNECTION.equals(p.connectionId()) && p.sessionId() != null
                    && registerIdOf(p.sessionId()).equals(p.registerId()) && p.values().size() == 1;
            boolean otherLiveSession = trusted && !p.sessionId().equals(session.sessionId())
                    && (live == null || live.contains(p.sessionId()));
            if (otherLiveSession) {
                entries.add(p.values().get(0));
            }
        }
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            out.add(weighted ? e : e.substring(0, e.indexOf('?') < 0 ? e.length() : e.indexOf('?')));
        }
        return String.join(";", out);
    }

    /** Every session's entry as its slot leader holds it; cached for a second, last copy if the leader is out. */
    private Datum endpoints() {
        Cached c = cache;
        long now = session.clock().millis();
        if (c != null && now - c.fetchedAtMillis() < CACHE_TTL.toMillis()) {
            return c.datum();
        }
        int slot = SlotHash.slotOf(ENDPOINTS, session.slotCount());
        try {
            Datum d = session.links().callLeader(slot, epoch -> new FetchDatumRequest(epoch, ENDPOINTS), Datum.class,
                    FETCH_TIMEOUT).get(FETCH_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
            cache = new Cached(d, now);
            return d;
        } catch (Exception e) {
            log.debug("cannot fetch the session directory: {}", e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return c != null ? c.datum() : Datum.empty(ENDPOINTS, 0);
        }
    }
}
