package dev.registry.session.damping;

import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.ClientHello;
import dev.registry.session.publish.PublisherSyncer;
import dev.registry.session.store.SessionPublisherStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a session does with the publishers of a client whose link was lost: withdraw them now
 * (a stable client: second-level offline), or hold them for the damping hold (a client whose
 * link flaps, {@link FlapDamper}), or for the migration grace (a client the session asked to
 * move). A held publisher stays on the data servers; the client's re-registration within the
 * hold (through this session or another) takes it over and subscribers see nothing; at the end
 * of the hold whatever was not taken over is withdrawn.
 *
 * <p>Clients are known by the id they send in their {@link ClientHello}; a client without one
 * (SOFARegistry's own client) by the smallest registerId of its publishers, which it keeps
 * across reconnects. Shared by the client port and the SOFARegistry port. Thread-safe.
 */
public final class ClientLinkDamping {

    /** What happened to a lost client's publishers, for its log line. */
    public record Outcome(String client, boolean held, long penalty, Duration holdFor) {
        /** The log line's account: "removing 2 publishers and 1 subscribers", or what is held and why. */
        public String summary(int publishers, int subscribers) {
            if (held && publishers > 0) {
                return "link flapping (penalty " + penalty + "): holding " + publishers + " publishers for "
                        + holdFor.toMillis() + " ms, removing " + subscribers + " subscribers";
            }
            return "removing " + publishers + " publishers and " + subscribers + " subscribers";
        }
    }

    private final FlapDamper damper;
    private final SessionPublisherStore publishers;
    private final PublisherSyncer syncer;
    private final ScheduledExecutorService scheduler;
    /** The client id each open connection said it has. */
    private final Map<String, String> clientOfConnection = new ConcurrentHashMap<>();
    /** Publishers of damping holds that have not ended (holds overlap when a client flaps faster than the hold). */
    private final java.util.Set<List<Publisher>> pendingHolds =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    private final LongAdder linkLosses = new LongAdder();
    private final LongAdder holds = new LongAdder();
    private final LongAdder heldReclaimed = new LongAdder();
    private final LongAdder heldReleased = new LongAdder();

    public ClientLinkDamping(FlapDamper damper, SessionPublisherStore publishers, PublisherSyncer syncer,
                             ScheduledExecutorService scheduler) {
        this.damper = damper;
        this.publishers = publishers;
        this.syncer = syncer;
        this.scheduler = scheduler;
    }

    public FlapDamper damper() {
        return damper;
    }

    /** The client id a connection named in its hello; null if none. */
    public String clientOf(String connectionId) {
        return clientOfConnection.get(connectionId);
    }

    /** A client named itself on a connection and reported its recent lost links. */
    public void onHello(String connectionId, ClientHello hello) {
        hello.validate();
        clientOfConnection.put(connectionId, hello.clientId());
        damper.onReport(hello.clientId(), hello.lostLinkAgesMillis());
    }

    /**
     * A client connection closed; {@code removed} are its publishers, just taken out of the
     * store. {@code moved}: the session asked it to reconnect elsewhere (not a lost link): its
     * publishers are held for {@code migrationGrace}.
     */
    public Outcome onConnectionLost(String connectionId, List<Publisher> removed, boolean moved,
                                    Duration migrationGrace) {
        String client = clientOfConnection.remove(connectionId);
        if (client == null) {
            client = removed.stream().map(Publisher::registerId).min(String::compareTo).map(r -> "registerId:" + r)
                    .orElse(null);
        }
        if (moved) {
            hold(removed, migrationGrace, false);
            return new Outcome(client, false, 0, migrationGrace);
        }
        if (client == null) {
            withdrawNow(removed);
            return new Outcome(null, false, 0, Duration.ZERO);
        }
        linkLosses.increment();
        FlapDamper.Decision decision = damper.onLinkLost(client);
        long penalty = damper.penalty(client);
        if (decision == FlapDamper.Decision.HOLD && !removed.isEmpty()) {
            holds.increment();
            Duration holdFor = damper.settings().hold();
            if (hold(removed, holdFor, true)) {
                return new Outcome(client, true, penalty, holdFor);
            }
            return new Outcome(client, false, penalty, Duration.ZERO);
        }
        withdrawNow(removed);
        return new Outcome(client, false, penalty, Duration.ZERO);
    }

    private void withdrawNow(List<Publisher> removed) {
        removed.forEach(syncer::syncRemoval);
    }

    /** Keeps the publishers on the data servers until {@code delay} ends; false if the timer is gone (stopping). */
    private boolean hold(List<Publisher> removed, Duration delay, boolean damped) {
        if (removed.isEmpty()) {
            return true;
        }
        // Re-registered meanwhile (here or through another session), they are no longer this
        // hold's to withdraw; until then the slot reconciler leaves them alone too.
        publishers.markWithdrawing(removed);
        if (damped) {
            pendingHolds.add(removed);
        }
        try {
            scheduler.schedule(() -> endHold(removed, damped), delay.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (RuntimeException e) {
            // The session is stopping: the data servers expire its publishers after their grace.
            pendingHolds.remove(removed);
            return false;
        }
    }

    private void endHold(List<Publisher> removed, boolean damped) {
        for (Publisher p : removed) {
            if (publishers.finishWithdrawing(p)) {
                syncer.syncRemoval(p);
                if (damped) {
                    heldReleased.increment();
                }
            } else if (damped) {
                heldReclaimed.increment();
            }
        }
        pendingHolds.remove(removed);
    }

    /** Forgets decayed penalties; call periodically. */
    public void evictIdle() {
        damper.evictIdle();
    }

    /** Publishers held right now: in a damping hold and not re-registered through this session since. */
    public int heldPublishers() {
        java.util.Set<dev.registry.session.store.PublisherKey> held = new java.util.HashSet<>();
        List<List<Publisher>> holds;
        synchronized (pendingHolds) {
            holds = new ArrayList<>(pendingHolds);
        }
        for (List<Publisher> hold : holds) {
            for (Publisher p : hold) {
                dev.registry.session.store.PublisherKey key =
                        new dev.registry.session.store.PublisherKey(p.dataInfoId(), p.registerId());
                if (publishers.isWithdrawing(key)) {
                    held.add(key);
                }
            }
        }
        return held.size();
    }

    /**
     * The admin API's view: settings, counters and every damped client. A client id proves who a
     * client is when it reconnects: without the admin token only a digest of it is shown.
     */
    public Map<String, Object> toJson(boolean showClientIds) {
        FlapDamper.Settings s = damper.settings();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("enabled", s.enabled());
        settings.put("penaltyPerLoss", FlapDamper.Settings.PENALTY_PER_LOSS);
        settings.put("halfLifeMillis", s.halfLife().toMillis());
        settings.put("suppress", s.suppress());
        settings.put("reuse", s.reuse());
        settings.put("maxPenalty", s.maxPenalty());
        settings.put("holdMillis", s.hold().toMillis());
        List<Map<String, Object>> clients = new ArrayList<>();
        for (FlapDamper.ClientPenalty c : damper.damped()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("client", showClientIds ? c.client() : digest(c.client()));
            m.put("penalty", c.penalty());
            m.put("dampedSince", java.time.Instant.ofEpochMilli(c.dampedSinceMillis()).toString());
            m.put("losses", c.losses());
            m.put("lastLoss", java.time.Instant.ofEpochMilli(c.lastLossMillis()).toString());
            m.put("connected", clientOfConnection.containsValue(c.client()));
            clients.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("settings", settings);
        out.put("linkLosses", linkLosses.sum());
        out.put("heldPublishers", heldPublishers());
        out.put("dampedClients", clients);
        return out;
    }

    /** "sha256:" and the first 12 hex digits of the SHA-256 of a client id: tells clients apart, reveals nothing. */
    static String digest(String client) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(client.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(d, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** One client as the admin API shows it ({@code ?client=ID}): known or not. */
    public Map<String, Object> clientJson(String client) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("client", client);
        m.put("penalty", damper.penalty(client));
        m.put("damped", damper.isDamped(client));
        m.put("heldOnNextLoss", damper.holdsOnNextLoss(client));
        m.put("connected", clientOfConnection.containsValue(client));
        return m;
    }

    public void appendPrometheus(StringBuilder out) {
        out.append("# HELP registry_session_client_link_losses_total client links lost (not asked to move)\n")
                .append("# TYPE registry_session_client_link_losses_total counter\n")
                .append("registry_session_client_link_losses_total ").append(linkLosses.sum()).append('\n');
        out.append("# HELP registry_session_damped_clients clients whose links flap: publishers held through a loss\n")
                .append("# TYPE registry_session_damped_clients gauge\n")
                .append("registry_session_damped_clients ").append(damper.dampedCount()).append('\n');
        out.append("# HELP registry_session_held_publishers publishers of damped clients held after a lost link\n")
                .append("# TYPE registry_session_held_publishers gauge\n")
                .append("registry_session_held_publishers ").append(heldPublishers()).append('\n');
        out.append("# TYPE registry_session_damping_holds_total counter\n")
                .append("registry_session_damping_holds_total ").append(holds.sum()).append('\n');
        out.append("# HELP registry_session_held_publishers_ended_total held publishers at the end of their hold: "
                + "reclaimed = re-registered through this session; released = withdrawn (a no-op if another session "
                + "took it over)\n")
                .append("# TYPE registry_session_held_publishers_ended_total counter\n")
                .append("registry_session_held_publishers_ended_total{outcome=\"reclaimed\"} ")
                .append(heldReclaimed.sum()).append('\n')
                .append("registry_session_held_publishers_ended_total{outcome=\"released\"} ")
                .append(heldReleased.sum()).append('\n');
    }
}
