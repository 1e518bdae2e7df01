package dev.registry.session.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.registry.common.admin.AdminHttpServer;
import dev.registry.common.admin.AdminRequest;
import dev.registry.common.admin.AdminResponse;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Subscriber;
import dev.registry.common.protocol.CatalogPage;
import dev.registry.common.protocol.CatalogQuery;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotHash;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.catalog.SessionCatalog;
import dev.registry.session.link.DataServerLinks;
import dev.registry.session.push.SubscriberRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The session's cluster-wide admin reads behind the console and the CLI (catalog, datum, slot
 * health, node versions) and the one action it forwards (drain a data server). A session
 * answers them for the whole cluster: it asks the data servers over its data links and the
 * other nodes over their admin ports, so one address behind the load balancer shows everything.
 * A node that does not answer is named in the result, never silently left out.
 */
public final class SessionConsoleRoutes {
    private static final Logger log = LoggerFactory.getLogger(SessionConsoleRoutes.class);
    /** Most ids one session reports for one catalog page's range (ids with subscribers but no publisher are many). */
    static final int MAX_LOCAL_COUNTS = 10_000;
    /** How long a peer's answer is awaited. */
    static final Duration WAIT = Duration.ofSeconds(3);

    private final String sessionId;
    private final int slotCount;
    private final String adminToken;
    private final SlotTableHolder tables;
    private final DataServerLinks links;
    private final MetaClient meta;
    private final SubscriberRegistry<?> subscribers;
    private final Supplier<SessionCatalog> catalog;
    private final Clock clock;
    private final PeerAdmin peers;
    private final NodeVersions nodeVersions;

    public SessionConsoleRoutes(String sessionId, int slotCount, String adminToken, SlotTableHolder tables,
                                DataServerLinks links, MetaClient meta, SubscriberRegistry<?> subscribers,
                                Supplier<SessionCatalog> catalog, Clock clock, PeerAdmin peers) {
        this.sessionId = sessionId;
        this.slotCount = slotCount;
        this.adminToken = adminToken;
        this.tables = tables;
        this.links = links;
        this.meta = meta;
        this.subscribers = subscribers;
        this.catalog = catalog;
        this.clock = clock;
        this.peers = peers;
        this.nodeVersions = new NodeVersions(meta, peers, clock);
    }

    public void register(AdminHttpServer http) {
        http.get("/api/v1/catalog", this::catalogJson);
        // This session's part of a catalog page: its subscriber counts in the page's id range.
        http.get("/api/v1/catalog/local-subscribers", r -> AdminResponse.ok(localSubscriberCounts(rangeQuery(r),
                r.param("to"))));
        http.get("/api/v1/datum", r -> datumJson(requestedId(r), r.authorized()));
        // This session's part of a datum query (other sessions ask it).
        http.get("/api/v1/datum/local", r -> AdminResponse.ok(localSubscribersJson(requestedId(r), r.authorized())));
        http.get("/api/v1/slot-health", r -> AdminResponse.ok(slotHealthJson()));
        http.get("/api/v1/node-info", r -> AdminResponse.ok(nodeVersions.json()));
        http.post("/api/v1/data-servers/drain", r -> drainDataServer(r.requireParam("address")));
    }

    private static DataInfoId requestedId(AdminRequest r) {
        return DataInfoId.of(r.requireParam("dataId"), r.param("group"), r.param("instanceId")).validate();
    }

    // ---- catalog ----

    /**
     * One page of the catalog for the console and operators: ids with publishers, filtered and
     * sorted by canonical id, at most {@code limit} (1..1000) after the cursor {@code after}; each
     * with its publisher count, last change and subscribers on every session.
     */
    private AdminResponse catalogJson(AdminRequest r) throws Exception {
        int limit = r.intParam("limit", 100, 1, 1000);
        CatalogQuery query = rangeQuery(r);
        SessionCatalog c = catalog.get();
        if (c == null) {
            return AdminResponse.error(503, "the session is starting");
        }
        c.checkQueryRate("admin-http", clock.millis());
        CatalogPage page = c.query(new CatalogQuery(query.group(), query.instanceId(), query.dataIdPrefix(),
                query.after(), limit)).get(10, TimeUnit.SECONDS);
        String last = page.ids().isEmpty() ? null : page.ids().get(page.ids().size() - 1).canonical();
        Map<String, Integer> subscriberCounts = new HashMap<>();
        Map<String, String> missing = new TreeMap<>();
        List<String> counted = new ArrayList<>();
        if (last != null && !"false".equals(r.param("subscribers"))) {
            gatherSubscriberCounts(query, last, subscriberCounts, counted, missing);
        }
        List<Map<String, Object>> ids = new ArrayList<>(page.ids().size());
        for (CatalogPage.Entry e : page.entries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataInfoId", e.id().canonical());
            m.put("dataId", e.id().dataId());
            m.put("group", e.id().group());
            m.put("instanceId", e.id().instanceId());
            m.put("publishers", e.publishers());
            m.put("subscribers", counted.isEmpty() ? null : subscriberCounts.getOrDefault(e.id().canonical(), 0));
            m.put("changedAtMillis", e.changedAtMillis() > 0 ? e.changedAtMillis() : null);
            ids.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ids", ids);
        out.put("more", page.more());
        out.put("next", page.more() && last != null ? last : null);
        out.put("subscriberCountsFrom", counted);
        out.put("subscriberCountsMissing", missing);
        return AdminResponse.ok(out);
    }

    /** The filters and cursor of a catalog request (checked: bounded, no control characters). */
    private static CatalogQuery rangeQuery(AdminRequest r) {
        String after = r.param("after");
        if (after != null) {
            after = DataInfoId.parse(after).validate().canonical(); // a cursor is an id's canonical form
        }
        return new CatalogQuery(filter(r, "group"), filter(r, "instanceId"), filter(r, "prefix"), after, 1).validated();
    }

    private static String filter(AdminRequest r, String name) {
        String v = r.param(name);
        if (v != null && v.length() > DataInfoId.MAX_PART_LENGTH) {
            throw new IllegalArgumentException("query parameter '" + name + "' is longer than "
                    + DataInfoId.MAX_PART_LENGTH + " characters");
        }
        if (v != null && v.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("query parameter '" + name + "' must not contain control characters");
        }
        return v;
    }

    /** Sums every live session's subscriber counts of the ids in (query's cursor, last]. */
    private void gatherSubscriberCounts(CatalogQuery query, String last, Map<String, Integer> counts,
                                        List<String> counted, Map<String, String> missing) {
        Map<String, CompletableFuture<JsonNode>> calls = new TreeMap<>();
        StringBuilder q = new StringBuilder("/api/v1/catalog/local-subscribers?to=").append(encode(last));
        append(q, "after", query.after());
        append(q, "group", query.group());
        append(q, "instanceId", query.instanceId());
        append(q, "prefix", query.dataIdPrefix());
        otherSessions().forEach((session, admin) -> calls.put(session, peers.get(admin, q.toString())));
        Map<String, Object> local = localSubscriberCounts(query, last);
        merge(counts, local.get("counts"));
        counted.add(sessionId);
        calls.forEach((session, call) -> {
            try {
                JsonNode answer = call.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                answer.path("counts").fields().forEachRemaining(f -> counts.merge(f.getKey(), f.getValue().asInt(), Integer::sum));
                counted.add(session);
                if (answer.path("truncated").asBoolean()) {
                    missing.put(session, "more than " + MAX_LOCAL_COUNTS + " subscribed ids in this page's range: counted in part");
                }
            } catch (Exception e) {
                missing.put(session, PeerAdmin.describe(e));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Integer> into, Object counts) {
        ((Map<String, Integer>) counts).forEach((id, n) -> into.merge(id, n, Integer::sum));
    }

    /** This session's subscriber counts of the ids the query matches, up to {@code to} (inclusive). */
    private Map<String, Object> localSubscriberCounts(CatalogQuery query, String to) {
        Predicate<DataInfoId> inRange = id -> query.matches(id) && (to == null || id.canonical().compareTo(to) <= 0);
        TreeMap<String, Integer> counts = new TreeMap<>();
        subscribers.pushStates(inRange).forEach((id, s) -> counts.put(id.canonical(), s.subscribers()));
        boolean truncated = counts.size() > MAX_LOCAL_COUNTS;
        while (counts.size() > MAX_LOCAL_COUNTS) {
            counts.pollLastEntry();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", sessionId);
        out.put("counts", counts);
        out.put("truncated", truncated);
        return out;
    }

    // ---- one datum ----

    /**
     * A DataInfoId across the cluster: the leader's publishers, the version every copy (leader
     * and followers) holds, and on every session its subscribers and the versions pushed to them.
     * 404 when nobody ever published it and no session has a subscriber.
     */
    private AdminResponse datumJson(DataInfoId id, boolean showRegisterIds) throws Exception {
        int slot = SlotHash.slotOf(id, slotCount);
        SlotTable table = tables.current();
        Datum datum = links.callLeader(slot, epoch -> new FetchDatumRequest(epoch, id), Datum.class,
                Duration.ofSeconds(3)).get(5, TimeUnit.SECONDS);
        List<Map<String, Object>> sessions = sessionsOf(id, datum.version());
        int subscriberTotal = sessions.stream().mapToInt(s -> s.get("subscribers") instanceof Integer n ? n : 0).sum();
        if (datum.version() == 0 && datum.publishers().isEmpty() && subscriberTotal == 0) {
            return AdminResponse.error(404, "no publisher or subscriber ever registered " + id.canonical());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataInfoId", id.canonical());
        out.put("dataId", id.dataId());
        out.put("group", id.group());
        out.put("instanceId", id.instanceId());
        out.put("slot", slot);
        out.put("leader", table.slot(slot).leader());
        out.put("version", datum.version());
        out.put("changedAtMillis", datum.changedAtMillis());
        out.put("values", datum.values());
        out.put("valuesByZone", datum.valuesByZone());
        out.put("publishers", datum.publishers().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            if (showRegisterIds) { // a registerId is what re-claims a registration: only for the admin
                m.put("registerId", p.registerId());
            }
            m.put("version", p.version());
            m.put("values", p.values());
            m.put("appName", p.appName());
            m.put("ip", p.ip());
            m.put("zone", p.zone());
            m.put("sessionId", p.sessionId());
            m.put("registeredAtMillis", p.registeredAtMillis());
            return m;
        }).toList());
        out.put("copies", copiesJson(id, table.slot(slot)));
        out.put("localSubscribers", subscribers.pushState(id).subscribers());
        Map<String, Object> bySession = new TreeMap<>();
        sessions.forEach(s -> bySession.put((String) s.get("session"),
                s.containsKey("error") ? s.get("error") : s.get("subscribers")));
        out.put("subscribersBySession", bySession);
        out.put("sessions", sessions);
        return AdminResponse.ok(out);
    }

    /** The version and publisher count each holder of the slot has now (replication lag shows here). */
    private List<Map<String, Object>> copiesJson(DataInfoId id, SlotAssignment slot) {
        List<String> holders = new ArrayList<>();
        if (slot.leader() != null) {
            holders.add(slot.leader());
        }
        holders.addAll(slot.followers());
        Map<String, CompletableFuture<Datum>> calls = new LinkedHashMap<>();
        for (String server : holders) {
            calls.put(server, links.connection(server).thenCompose(c ->
                    c.call(FetchDatumRequest.localCopy(id), Datum.class, Duration.ofSeconds(2))));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        calls.forEach((server, call) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("server", server);
            m.put("role", server.equals(slot.leader()) ? "LEADER" : "FOLLOWER");
            try {
                Datum copy = call.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                m.put("version", copy.version());
                m.put("publishers", copy.publishers().size());
            } catch (Exception e) {
                m.put("error", e instanceof ExecutionException ? e.getCause().getMessage() : e.toString());
            }
            out.add(m);
        });
        return out;
    }

    private Map<String, Object> localSubscribersJson(DataInfoId id, boolean showRegisterIds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", sessionId);
        out.put("dataInfoId", id.canonical());
        List<Subscriber> subs = subscribers.subscribersOf(id);
        Map<String, Long> pushed = subscribers.pushedVersions(id);
        SubscriberRegistry.PushState state = subscribers.pushState(id);
        out.put("localSubscribers", subs.size());
        out.put("minPushedVersion", state.minPushedVersion());
        out.put("maxPushedVersion", state.maxPushedVersion());
        out.put("subscribers", subs.stream().map(sub -> {
            Map<String, Object> m = new LinkedHashMap<>();
            if (showRegisterIds) {
                m.put("registerId", sub.registerId());
            }
            m.put("appName", sub.appName());
            m.put("ip", sub.ip());
            m.put("zone", sub.zone());
            m.put("registeredAtMillis", sub.registeredAtMillis());
            m.put("pushedVersion", pushed.getOrDefault(sub.registerId(), -1L));
            return m;
        }).toList());
        return out;
    }

    /**
     * Per live session: its subscribers of the id and the oldest and newest version pushed to them
     * ({@code upToDate}: every one holds the data server's version). This one directly, the others
     * through their admin port.
     */
    private List<Map<String, Object>> sessionsOf(DataInfoId id, long currentVersion) {
        String query = "/api/v1/datum/local?dataId=" + encode(id.dataId()) + "&group=" + encode(id.group())
                + "&instanceId=" + encode(id.instanceId());
        Map<String, CompletableFuture<JsonNode>> calls = new TreeMap<>();
        otherSessions().forEach((session, admin) -> calls.put(session, peers.get(admin, query)));
        List<Map<String, Object>> out = new ArrayList<>();
        SubscriberRegistry.PushState own = subscribers.pushState(id);
        out.add(sessionRow(sessionId, own.subscribers(), own.minPushedVersion(), own.maxPushedVersion(), currentVersion));
        calls.forEach((session, call) -> {
            try {
                JsonNode n = call.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                out.add(sessionRow(session, n.path("localSubscribers").asInt(), n.path("minPushedVersion").asLong(-1),
                        n.path("maxPushedVersion").asLong(-1), currentVersion));
            } catch (Exception e) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("session", session);
                m.put("error", PeerAdmin.describe(e));
                out.add(m);
            }
        });
        out.sort((a, b) -> ((String) a.get("session")).compareTo((String) b.get("session")));
        return out;
    }

    private static Map<String, Object> sessionRow(String session, int count, long min, long max, long current) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", session);
        m.put("subscribers", count);
        m.put("minPushedVersion", count == 0 ? null : min);
        m.put("maxPushedVersion", count == 0 ? null : max);
        m.put("upToDate", count == 0 || min >= current);
        return m;
    }

    // ---- slot health ----

    /**
     * The slot table with what its data servers report: per slot the leader's replication lag to
     * its followers and whether the slot is moving (a leader not yet serving reads, a follower
     * taking a snapshot, or a holder that does not yet play the role the table gives it).
     */
    private Map<String, Object> slotHealthJson() {
        SlotTable table = tables.current();
        HeartbeatResponse last = meta.lastResponse();
        Map<String, String> adminAddresses = last == null ? Map.of() : last.dataAdminAddresses();
        Map<String, CompletableFuture<JsonNode>> calls = new TreeMap<>();
        for (String server : table.servers()) {
            String admin = adminAddresses.get(server);
            calls.put(server, admin == null ? CompletableFuture.failedFuture(new IllegalStateException(
                    "its admin address is unknown (admin port off, or an older version)")) : peers.get(admin, "/api/v1/slots"));
        }
        Map<String, Map<Integer, JsonNode>> reports = new HashMap<>();
        Map<String, String> unreachable = new TreeMap<>();
        calls.forEach((server, call) -> {
            try {
                Map<Integer, JsonNode> bySlot = new HashMap<>();
                call.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).path("slots").forEach(s -> bySlot.put(s.path("slot").asInt(), s));
                reports.put(server, bySlot);
            } catch (Exception e) {
                unreachable.put(server, e instanceof IllegalStateException || e.getCause() instanceof IllegalStateException
                        ? (e.getCause() != null ? e.getCause() : e).getMessage() : PeerAdmin.describe(e));
            }
        });
        List<Map<String, Object>> slots = new ArrayList<>(table.slotCount());
        int moving = 0;
        for (SlotAssignment a : table.slots()) {
            Map<String, Object> m = SlotHealth.of(a, reports);
            moving += Boolean.TRUE.equals(m.get("migrating")) ? 1 : 0;
            slots.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("epoch", table.epoch());
        out.put("slotCount", table.slotCount());
        out.put("migratingSlots", moving);
        out.put("unreachable", unreachable);
        out.put("slots", slots);
        return out;
    }

    // ---- actions ----

    /** Asks a data server to drain (its slots move to the others), through its admin port and the admin token. */
    private AdminResponse drainDataServer(String address) throws Exception {
        HeartbeatResponse last = meta.lastResponse();
        if (last == null || last.dataServers() == null || !last.dataServers().contains(address)) {
            return AdminResponse.error(404, "no live data server " + address + " (use its address from the members list)");
        }
        String admin = last.dataAdminAddresses().get(address);
        if (admin == null) {
            return AdminResponse.error(409, "data server " + address + " has not reported an admin address");
        }
        try {
            peers.post(admin, "/api/v1/drain", adminToken).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PeerAdmin.PeerFailure refused && refused.status() < 500) {
                return AdminResponse.error(refused.status(), refused.getMessage()); // its own reason, e.g. the only one
            }
            return AdminResponse.error(502, "data server " + address + " did not take the drain: " + PeerAdmin.describe(e));
        } catch (java.util.concurrent.TimeoutException e) {
            return AdminResponse.error(502, "data server " + address + " did not answer the drain: " + PeerAdmin.describe(e));
        }
        log.info("data server {} asked to drain by an admin request", address);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", address);
        out.put("adminAddress", admin);
        out.put("draining", true);
        return AdminResponse.ok(out);
    }

    /** The other live sessions' admin addresses, as meta last reported them. */
    private Map<String, String> otherSessions() {
        HeartbeatResponse last = meta.lastResponse();
        Map<String, String> out = new TreeMap<>();
        if (last != null) {
            last.sessionAdminAddresses().forEach((session, admin) -> {
                if (!session.equals(sessionId)) {
                    out.put(session, admin);
                }
            });
        }
        return out;
    }

    private static void append(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append('&').append(name).append('=').append(encode(value));
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
