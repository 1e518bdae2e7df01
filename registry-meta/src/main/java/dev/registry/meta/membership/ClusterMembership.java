package dev.registry.meta.membership;

import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.slot.SlotTable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The meta leader's members: data and session servers by heartbeat lease ({@link Leases}), the
 * connection each heartbeats on, the data servers leaving, what members reported (client counts,
 * admin addresses), and the two guards on removing a member early or at all:
 * {@link IsolationGuard} (a leader that hears nobody expires nobody) and
 * {@link DataServerSuspicions} (a reported data server goes only when the leader's probe fails
 * too). Every decision about who is a member is made here; the owner sends, probes and logs.
 *
 * <p>Pure: time comes from the injected clock, and {@code C} (a member's connection) is only
 * stored and handed back. Not thread-safe: the owner synchronizes every call.
 *
 * @param <C> the connection a member heartbeats on
 */
public final class ClusterMembership<C> {
    /** Members heartbeat every second: a probe that reached a server silences reports about it that long. */
    private static final Duration PROBE_GAP = Duration.ofSeconds(1);
    /** Heartbeats in a row with another epoch than the leader's table after which the member's table is fetched. */
    private static final int LAGGING_HEARTBEATS = 3;

    private final Duration dataLease;
    private final Duration sessionLease;
    private final LongSupplier clockMillis;
    private final IsolationGuard isolation;
    private final DataServerSuspicions suspicions = new DataServerSuspicions(PROBE_GAP);
    private final Map<String, C> connections = new HashMap<>();
    /** Data servers draining: still heartbeating, but kept out of the table until they disconnect. */
    private final Map<String, C> leaving = new HashMap<>();
    /** Heartbeats in a row in which a member reported another epoch than the leader's table. */
    private final Map<String, Integer> lagging = new HashMap<>();
    /** Last reported client connections per session (-1: takes no clients). */
    private final Map<String, Integer> sessionConnections = new HashMap<>();
    /** Admin HTTP address per member, as reported. */
    private final Map<String, String> adminAddresses = new HashMap<>();
    private Leases<String> dataLeases;
    private Leases<String> sessionLeases;
    /** Data servers removed because a report and a probe said they were dead. */
    private long evictedOnReport;

    public ClusterMembership(Duration dataLease, Duration sessionLease, LongSupplier clockMillis) {
        this.dataLease = dataLease;
        this.sessionLease = sessionLease;
        this.clockMillis = clockMillis;
        this.dataLeases = new Leases<>(dataLease);
        this.sessionLeases = new Leases<>(sessionLease);
        // Members heartbeat every second: a leader hearing none of them for half a lease is cut off.
        Duration shortestLease = dataLease.compareTo(sessionLease) < 0 ? dataLease : sessionLease;
        this.isolation = new IsolationGuard(shortestLease.dividedBy(2), clockMillis.getAsLong());
    }

    // ---- leadership ----

    /**
     * A new leadership starts from the servers of the table it took over: they get two lease
     * periods to find this leader (they first have to notice the old one is gone). In a
     * {@code runningCluster} the sessions find it one by one, so until each had a lease to do so
     * the session list may miss live ones (a new slot leader would serve reads before such a
     * session synced: chaos seed 5028).
     */
    public void startLeading(Collection<String> tableServers, boolean runningCluster) {
        long now = clockMillis.getAsLong();
        dataLeases = new Leases<>(dataLease);
        sessionLeases = new Leases<>(sessionLease);
        if (runningCluster) {
            sessionLeases.startListening(now);
        }
        forgetConnections();
        expect(tableServers, now);
        isolation.restart(now);
    }

    /** The leadership ended: nobody is a member of this node any more. */
    public void stopLeading() {
        forgetConnections();
        dataLeases = new Leases<>(dataLease);
        sessionLeases = new Leases<>(sessionLease);
    }

    /**
     * The leader adopts a table of a cluster that ran before it knew it: the table's servers may
     * not have found this node yet (they get the takeover grace, so nothing moves), and its
     * sessions may not all have heartbeated yet.
     */
    public void runningClusterFound(Collection<String> tableServers) {
        long now = clockMillis.getAsLong();
        expect(tableServers, now);
        sessionLeases.startListening(now);
    }

    private void expect(Collection<String> servers, long now) {
        long grace = now + dataLease.toMillis();
        servers.forEach(s -> dataLeases.renew(s, grace));
    }

    private void forgetConnections() {
        connections.clear();
        leaving.clear();
        lagging.clear();
        suspicions.clear();
    }

    // ---- heartbeats ----

    /**
     * What a heartbeat changed.
     *
     * @param joined         the member was not in the membership
     * @param silenceMillis  how long no member had been heard if this heartbeat ended an isolation
     *                       (every lease restarted now), else -1
     */
    public record Heard(boolean joined, long silenceMillis) {
        public boolean endedIsolation() {
            return silenceMillis >= 0;
        }
    }

    public Heard dataHeartbeat(String member, C connection, String adminAddress) {
        connections.put(member, connection);
        long silence = heard();
        boolean joined = dataLeases.renew(member, clockMillis.getAsLong());
        if (adminAddress != null) {
            adminAddresses.put(member, adminAddress);
        }
        suspicions.heard(member, clockMillis.getAsLong());
        return new Heard(joined, silence);
    }

    /** @param clientConnections the session's client count, or -1 if it takes no clients */
    public Heard sessionHeartbeat(String member, C connection, int clientConnections, String adminAddress) {
        connections.put(member, connection);
        long silence = heard();
        boolean joined = sessionLeases.renew(member, clockMillis.getAsLong());
        sessionConnections.put(member, clientConnections);
        if (adminAddress != null) {
            adminAddresses.put(member, adminAddress);
        }
        return new Heard(joined, silence);
    }

    /** A member was heard: after an isolation every lease restarts from now. The silence it ended, or -1. */
    private long heard() {
        long now = clockMillis.getAsLong();
        long quiet = isolation.quietMillis(now);
        if (!isolation.heard(now)) {
            return -1;
        }
        dataLeases.members().forEach(m -> dataLeases.renew(m, now));
        sessionLeases.members().forEach(m -> sessionLeases.renew(m, now));
        return quiet;
    }

    /**
     * The leader's answer to a heartbeat: its table whenever the member's epoch differs, the live
     * members with what they reported, and whether the session list may still miss a live session.
     */
    public HeartbeatResponse heartbeatResponse(SlotTable table, long term, OperationalSwitches switches,
                                               long knownEpoch, String metaAdminAddress) {
        return new HeartbeatResponse(table.epoch(), knownEpoch != table.epoch() ? table : null,
                new ArrayList<>(dataLeases.members()), new ArrayList<>(sessionLeases.members()), term, switches)
                .withSessionConnections(liveSessionConnections())
                .withSessionAdminAddresses(liveAdminAddresses(sessionLeases.members()))
                .withDataAdminAddresses(liveAdminAddresses(dataLeases.members()))
                .withMetaAdminAddress(metaAdminAddress)
                .withSessionListIncomplete(!sessionLeases.holdsEveryLiveMember(clockMillis.getAsLong()));
    }

    /** Every live session; -1 for one that has not reported a count. */
    private HashMap<String, Integer> liveSessionConnections() {
        HashMap<String, Integer> out = new HashMap<>();
        for (String session : sessionLeases.members()) {
            out.put(session, sessionConnections.getOrDefault(session, -1));
        }
        return out;
    }

    /** The admin addresses of these live members (those that reported one). */
    private HashMap<String, String> liveAdminAddresses(Collection<String> members) {
        HashMap<String, String> out = new HashMap<>();
        for (String member : members) {
            String admin = adminAddresses.get(member);
            if (admin != null) {
                out.put(member, admin);
            }
        }
        return out;
    }

    /**
     * A member with a newer epoch, or one that keeps another epoch although it was sent the
     * table (it refuses it: it holds a higher term), holds a table this leader does not know.
     */
    public boolean holdsUnknownTable(String member, long knownEpoch, long leaderEpoch) {
        int behind = knownEpoch == leaderEpoch ? 0 : lagging.getOrDefault(member, 0) + 1;
        if (behind == 0) {
            lagging.remove(member);
        } else {
            lagging.put(member, behind);
        }
        return knownEpoch > leaderEpoch || behind >= LAGGING_HEARTBEATS;
    }

    // ---- leaving and disconnecting ----

    /** A data server drains: it stays a member but out of the table until it disconnects. */
    public void leaving(String member, C connection) {
        leaving.put(member, connection);
        suspicions.forget(member);
    }

    /**
     * A member's connection closed. A leaving server that disconnected has exited: it leaves the
     * membership too (else it would be put back into the table until its lease ran out); if it
     * comes back it is new.
     *
     * @return true if the data membership changed (the table must be recomputed)
     */
    public boolean disconnected(C connection) {
        connections.values().remove(connection);
        boolean changed = false;
        for (var it = leaving.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue() == connection) {
                it.remove();
                dataLeases.remove(e.getKey());
                suspicions.forget(e.getKey());
                changed = true;
            }
        }
        return changed;
    }

    // ---- reports of unreachable data servers ----

    /** {@code reporter} cannot reach {@code suspect}: true if the leader must probe it now (then call {@link #probed}). */
    public boolean reportedUnreachable(String suspect, String reporter) {
        boolean member = dataLeases.members().contains(suspect) && !leaving.containsKey(suspect);
        return suspicions.reported(suspect, reporter, member, clockMillis.getAsLong());
    }

    /** What the end of a probe decided. */
    public enum ProbeOutcome {
        /** The probe reached it, or its heartbeats still arrive. */
        KEPT,
        /** The probe failed, but this leader hears no member at all: the lease decides. */
        KEPT_WHILE_ISOLATED,
        /** It had left the membership meanwhile. */
        NOT_A_MEMBER,
        /** Removed now instead of after its lease: the table must be recomputed. */
        EVICTED
    }

    public ProbeOutcome probed(String server, boolean reachable) {
        long now = clockMillis.getAsLong();
        if (suspicions.probed(server, reachable, now) == DataServerSuspicions.Verdict.KEEP) {
            return ProbeOutcome.KEPT;
        }
        if (!isolation.mayExpire(now)) {
            return ProbeOutcome.KEPT_WHILE_ISOLATED;
        }
        if (!dataLeases.remove(server)) {
            return ProbeOutcome.NOT_A_MEMBER;
        }
        connections.remove(server);
        leaving.remove(server);
        lagging.remove(server);
        evictedOnReport++;
        return ProbeOutcome.EVICTED;
    }

    // ---- lease expiry ----

    /**
     * What {@link #expire} did.
     *
     * @param isolated       nothing expired: no member has been heard for {@code quietMillis}
     * @param isolationBegan this call found the isolation (the owner warns once)
     * @param data           data servers whose lease ran out, in order
     * @param sessions       session servers whose lease ran out, in order
     */
    public record Expiry(boolean isolated, boolean isolationBegan, long quietMillis, Set<String> data,
                         Set<String> sessions) {
    }

    /** Removes every member whose lease ran out, unless this leader is cut off from all of them. */
    public Expiry expire() {
        long now = clockMillis.getAsLong();
        boolean wasIsolated = isolation.isolated();
        if (!isolation.mayExpire(now)) {
            return new Expiry(true, !wasIsolated, isolation.quietMillis(now), Set.of(), Set.of());
        }
        Set<String> goneData = dataLeases.expire(now);
        Set<String> goneSessions = sessionLeases.expire(now);
        goneData.forEach(connections::remove);
        goneData.forEach(adminAddresses::remove);
        goneData.forEach(leaving::remove);
        goneData.forEach(suspicions::forget);
        goneSessions.forEach(connections::remove);
        goneSessions.forEach(sessionConnections::remove);
        goneSessions.forEach(adminAddresses::remove);
        return new Expiry(false, false, 0, goneData, goneSessions);
    }

    // ---- reads ----

    /**
     * The data servers a table is balanced over: live and not leaving. Empty when only leaving
     * servers are left: the last server's slots are never handed to nobody.
     */
    public Optional<Set<String>> tableServers() {
        Set<String> members = new TreeSet<>(dataLeases.members());
        members.removeAll(leaving.keySet());
        if (members.isEmpty() && !leaving.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(members);
    }

    /** The connection of every member, to push a table to. */
    public List<C> connections() {
        return new ArrayList<>(connections.values());
    }

    public Set<String> dataServers() {
        return dataLeases.members();
    }

    public Set<String> sessionServers() {
        return sessionLeases.members();
    }

    /** False while this leader, newly in charge of a running cluster, may not have heard every live session. */
    public boolean sessionListComplete() {
        return sessionLeases.holdsEveryLiveMember(clockMillis.getAsLong());
    }

    public record DataServerState(String address, boolean leaving, long lastHeartbeatMillisAgo) {
    }

    /** @param clientConnections -1 while it takes no clients (or has not said) */
    public record SessionServerState(String address, int clientConnections, long lastHeartbeatMillisAgo) {
    }

    /** The membership at one instant, for operators. */
    public record Snapshot(List<DataServerState> dataServers, boolean sessionListComplete,
                           List<SessionServerState> sessionServers, boolean isolated, long evictedOnReport) {
    }

    public Snapshot snapshot() {
        long now = clockMillis.getAsLong();
        List<DataServerState> data = dataLeases.members().stream().map(d ->
                new DataServerState(d, leaving.containsKey(d), now - dataLeases.lastRenewal(d))).toList();
        boolean complete = sessionLeases.holdsEveryLiveMember(now);
        List<SessionServerState> sessions = sessionLeases.members().stream().map(s ->
                new SessionServerState(s, sessionConnections.getOrDefault(s, -1), now - sessionLeases.lastRenewal(s)))
                .toList();
        return new Snapshot(data, complete, sessions, isolation.isolated(), evictedOnReport);
    }
}
