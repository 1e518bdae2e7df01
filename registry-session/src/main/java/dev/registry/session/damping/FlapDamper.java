package dev.registry.session.damping;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Flap damping of client links, after BGP route-flap dampening (RFC 2439): every lost link of a
 * client adds {@link Settings#PENALTY_PER_LOSS} to its penalty, which halves every
 * {@code halfLife}. A client whose penalty reaches {@code suppress} is <em>damped</em> until the
 * penalty decays below {@code reuse}. The session removes a client's publishers at once when its
 * link is lost, unless the client is damped: then it holds them for {@code hold}, so that a
 * reconnect within the hold changes nothing for subscribers (see docs/architecture.md).
 *
 * <p>The rule in figures, with the defaults: the first loss of a stable client (penalty 1000 &lt;
 * 1500) removes at once; a second loss within 30 s (1000 · 2<sup>-t/30 s</sup> + 1000 &ge; 1500)
 * damps; a damped client that stops flapping is undamped after at most
 * {@code halfLife · log2(maxPenalty / reuse)} (103 s); a damped client that really died is removed
 * {@code hold} (5 s) after its link was lost.
 *
 * <p>Clients are named by a key the session chooses (the client's own identity, which it
 * reports with the losses it saw, so a client that moved to another session brings its
 * history along). Pure: an injected millisecond clock, no threads; synchronized because the
 * session's I/O threads and its timer share it.
 */
public final class FlapDamper {

    /**
     * Tunables of the damping rule.
     *
     * @param halfLife    time for a penalty to halve
     * @param suppress    penalty at which a client becomes damped; above one loss's penalty, so the
     *                    first loss of a stable client always removes at once
     * @param reuse       penalty below which a damped client is undamped again
     * @param maxPenalty  ceiling of the penalty: bounds how long a client stays damped after its
     *                    link settled
     * @param hold        how long a damped client's publishers are kept after its link was lost;
     *                    zero turns damping off (every loss removes at once)
     */
    public record Settings(Duration halfLife, int suppress, int reuse, int maxPenalty, Duration hold) {
        /** What one lost link adds to a penalty: the unit of the thresholds. */
        public static final int PENALTY_PER_LOSS = 1000;

        public Settings {
            if (halfLife == null || halfLife.toMillis() <= 0) {
                throw new IllegalArgumentException("damping half-life must be positive: " + halfLife);
            }
            if (suppress <= PENALTY_PER_LOSS) {
                throw new IllegalArgumentException("damping suppress threshold must exceed one loss's penalty ("
                        + PENALTY_PER_LOSS + "), so a first loss always removes at once: " + suppress);
            }
            if (reuse <= 0 || reuse >= suppress) {
                throw new IllegalArgumentException("damping reuse threshold must be in (0, suppress=" + suppress
                        + "): " + reuse);
            }
            if (maxPenalty < suppress) {
                throw new IllegalArgumentException("damping max penalty must be at least suppress=" + suppress
                        + ": " + maxPenalty);
            }
            if (hold == null || hold.isNegative()) {
                throw new IllegalArgumentException("damping hold must be zero (off) or positive: " + hold);
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(30), 1500, 750, 8000, Duration.ofSeconds(5));
        }

        /** Every loss removes at once (penalties are still tracked and shown). */
        public static Settings disabled() {
            Settings d = defaults();
            return new Settings(d.halfLife, d.suppress, d.reuse, d.maxPenalty, Duration.ZERO);
        }

        public boolean enabled() {
            return !hold.isZero();
        }

        /** Longest time a client stays damped after its last loss: from the ceiling down to reuse. */
        public Duration maxDampedAfterLastLoss() {
            double halfLives = Math.log((double) maxPenalty / reuse) / Math.log(2);
            return Duration.ofMillis((long) Math.ceil(halfLives * halfLife.toMillis()));
        }
    }

    /** What to do with a client's publishers when its link is lost. */
    public enum Decision {
        /** A stable client: withdraw its publishers now (second-level offline). */
        REMOVE_NOW,
        /** A damped client: keep its publishers for the hold; a reconnect within it changes nothing. */
        HOLD
    }

    /** One client as the admin API shows it. */
    public record ClientPenalty(String client, long penalty, boolean damped, long dampedSinceMillis, int losses,
                                long lastLossMillis) {
    }

    /** Losses older than this in a client's report are ignored: they cannot matter any more. */
    static final long MAX_REPORTED_AGE_MILLIS = Duration.ofHours(1).toMillis();
    /** At most this many losses of a report are replayed (the newest). */
    public static final int MAX_REPORTED_LOSSES = 32;
    /** A penalty below this is forgotten by {@link #evictIdle}. */
    private static final double FORGET_BELOW = 1;
    private static final long NEVER = Long.MIN_VALUE;

    private static final class State {
        double penalty;
        long updatedAt = NEVER;
        boolean damped;
        long dampedSince;
        int losses;
        long lastLossAt;
    }

    private final Settings settings;
    private final LongSupplier clockMillis;
    private final Map<String, State> clients = new HashMap<>();
    private long lossesTotal;

    public FlapDamper(Settings settings, LongSupplier clockMillis) {
        this.settings = settings;
        this.clockMillis = clockMillis;
    }

    public Settings settings() {
        return settings;
    }

    /** The client's link was lost: count it and decide about its publishers. */
    public synchronized Decision onLinkLost(String client) {
        long now = clockMillis.getAsLong();
        State s = clients.computeIfAbsent(client, c -> new State());
        decay(s, now);
        lose(s, now);
        lossesTotal++;
        return s.damped && settings.enabled() ? Decision.HOLD : Decision.REMOVE_NOW;
    }

    /**
     * The client (re)connected and reported the links it lost, as ages in milliseconds (any
     * order; losses seen by other sessions included). Its penalty becomes the larger of what
     * this session knew and what the report replays to, so a loss this session saw too is not
     * counted twice.
     */
    public synchronized void onReport(String client, long[] lossAgesMillis) {
        if (lossAgesMillis == null || lossAgesMillis.length == 0) {
            return;
        }
        long now = clockMillis.getAsLong();
        long[] ages = Arrays.stream(lossAgesMillis).filter(a -> a >= 0 && a <= MAX_REPORTED_AGE_MILLIS)
                .sorted().limit(MAX_REPORTED_LOSSES).toArray();
        if (ages.length == 0) {
            return;
        }
        State replayed = new State();
        for (int i = ages.length - 1; i >= 0; i--) { // oldest first
            long at = now - ages[i];
            decay(replayed, at);
            lose(replayed, at);
        }
        decay(replayed, now);
        State known = clients.get(client);
        if (known != null) {
            decay(known, now);
        }
        if (known == null || replayed.penalty > known.penalty) {
            if (known != null) {
                replayed.losses = Math.max(replayed.losses, known.losses);
                replayed.lastLossAt = Math.max(replayed.lastLossAt, known.lastLossAt);
                if (known.damped && replayed.damped) {
                    replayed.dampedSince = Math.min(known.dampedSince, replayed.dampedSince);
                }
            }
            clients.put(client, replayed);
        }
    }

    /** True while the client's publishers would be held through a lost link. */
    public synchronized boolean isDamped(String client) {
        State s = clients.get(client);
        if (s == null) {
            return false;
        }
        decay(s, clockMillis.getAsLong());
        return s.damped;
    }

    /**
     * Whether the client's next lost link would hold its publishers (it is damped, or that loss
     * would damp it): how long its death takes to show depends on it.
     */
    public synchronized boolean holdsOnNextLoss(String client) {
        if (!settings.enabled()) {
            return false;
        }
        State s = clients.get(client);
        if (s == null) {
            return false;
        }
        decay(s, clockMillis.getAsLong());
        return s.damped || Math.min(settings.maxPenalty(), s.penalty + Settings.PENALTY_PER_LOSS) >= settings.suppress();
    }

    /** The client's current penalty (0 if unknown). */
    public synchronized long penalty(String client) {
        State s = clients.get(client);
        if (s == null) {
            return 0;
        }
        decay(s, clockMillis.getAsLong());
        return Math.round(s.penalty);
    }

    /** Damped clients, highest penalty first. */
    public synchronized List<ClientPenalty> damped() {
        long now = clockMillis.getAsLong();
        List<ClientPenalty> out = new ArrayList<>();
        clients.forEach((client, s) -> {
            decay(s, now);
            if (s.damped) {
                out.add(new ClientPenalty(client, Math.round(s.penalty), true, s.dampedSince, s.losses, s.lastLossAt));
            }
        });
        out.sort(Comparator.comparingLong(ClientPenalty::penalty).reversed().thenComparing(ClientPenalty::client));
        return out;
    }

    public synchronized int dampedCount() {
        return damped().size();
    }

    /** Link losses counted since start. */
    public synchronized long lossesTotal() {
        return lossesTotal;
    }

    /** Clients with a penalty (damped or not) still remembered. */
    public synchronized int trackedClients() {
        return clients.size();
    }

    /** Forgets clients whose penalty decayed to nothing; returns how many. Call periodically. */
    public synchronized int evictIdle() {
        long now = clockMillis.getAsLong();
        int before = clients.size();
        clients.values().removeIf(s -> {
            decay(s, now);
            return !s.damped && s.penalty < FORGET_BELOW;
        });
        return before - clients.size();
    }

    private void lose(State s, long at) {
        s.penalty = Math.min(settings.maxPenalty(), s.penalty + Settings.PENALTY_PER_LOSS);
        s.losses++;
        s.lastLossAt = at;
        if (!s.damped && s.penalty >= settings.suppress()) {
            s.damped = true;
            s.dampedSince = at;
        }
    }

    /** Brings a penalty to time {@code now} and undamps a client that decayed below reuse. */
    private void decay(State s, long now) {
        if (s.updatedAt != NEVER && now > s.updatedAt) {
            s.penalty *= Math.pow(0.5, (double) (now - s.updatedAt) / settings.halfLife().toMillis());
        }
        if (s.updatedAt == NEVER || now > s.updatedAt) {
            s.updatedAt = now;
        }
        if (s.damped && s.penalty < settings.reuse()) {
            s.damped = false;
            s.dampedSince = 0;
        }
    }
}
