package dev.registry.meta.leader;

import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.MetaRedirect;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaderElection;
import dev.registry.meta.lease.LeaseRecord;
import dev.registry.meta.membership.ClusterMembership;
import dev.registry.meta.slot.SlotBalancer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What this meta node knows as the leader: the term it serves in, its slot table and switches,
 * and its members ({@link ClusterMembership}). Each method is one atomic step of the leader and
 * does no I/O, so callers save, push and probe after it returns. A node that does not serve keeps
 * the table and switches it last served and answers members with a {@link MetaRedirect}.
 *
 * <p>Threading: every field is guarded by this object's monitor (the election is read under it).
 */
public final class LeaderState {
    private static final Logger log = LoggerFactory.getLogger(LeaderState.class);

    private final SlotBalancer balancer;
    private final ClusterMembership<RpcConnection> membership;
    /** Where members reach this node's admin port (null while it is not up, or off). */
    private final Supplier<String> adminAddress;
    private String address;
    private LeaderElection election;
    private SlotTable table;
    private OperationalSwitches switches = new OperationalSwitches(0, List.of(), false);
    /** The term this node serves as leader in; 0 while following or taking over. */
    private long servingTerm;
    private boolean rebalanceQueued;
    private boolean adopting;
    /** The newest member table this leader reported as unknown to its database. */
    private SlotTable reportedForeignTable = SlotTable.initial(1);

    public LeaderState(SlotBalancer balancer, ClusterMembership<RpcConnection> membership, SlotTable initial,
                       Supplier<String> adminAddress) {
        this.balancer = balancer;
        this.membership = membership;
        this.table = initial;
        this.adminAddress = adminAddress;
    }

    /** The node's address and election, once its port is bound; until then members are told it is starting. */
    public synchronized void attach(String address, LeaderElection election) {
        this.address = address;
        this.election = election;
    }

    // ---- leadership ----

    /**
     * Starts serving in {@code term} with {@code first} (already saved) and the saved switches;
     * false if the lease was lost meanwhile.
     *
     * @param runningCluster the database held a table: its sessions find this leader one by one
     */
    public synchronized boolean lead(long term, SlotTable first, OperationalSwitches savedSwitches,
                                     boolean runningCluster) {
        if (!election.isLeaderOf(term)) {
            return false;
        }
        membership.startLeading(first.servers(), runningCluster);
        table = first;
        switches = savedSwitches;
        servingTerm = term;
        return true;
    }

    /** Stops serving; false if it was not. */
    public synchronized boolean stopLeading() {
        if (servingTerm == 0) {
            return false;
        }
        servingTerm = 0;
        membership.stopLeading();
        rebalanceQueued = false;
        return true;
    }

    private boolean servingLocked() {
        LeaderElection e = election;
        return servingTerm != 0 && e != null && e.isLeaderOf(servingTerm);
    }

    /** Null while this node serves as leader; else what to answer a member. */
    private Object notServingAnswerLocked() {
        if (servingLocked()) {
            return null;
        }
        if (election == null) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "meta is starting; retry");
        }
        if (election.isLeader()) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "meta " + address + " is taking over as leader; retry");
        }
        LeaseRecord seen = election.lastSeen();
        String leader = seen.holderAddress();
        if (leader != null && (leader.equals(address) || election.candidateId().equals(seen.holderId()))) {
            leader = null; // this node's own lapsed lease: no leader known
        }
        return new MetaRedirect(leader, seen.term(), leader == null ? "no meta leader right now (election pending)"
                : "meta " + address + " is a follower");
    }

    // ---- members ----

    /** A data server's heartbeat: the answer (a {@link HeartbeatResponse} or a redirect), and whether it joined. */
    public record DataBeat(Object answer, boolean joined) {
    }

    public synchronized DataBeat dataHeartbeat(String member, RpcConnection connection, String memberAdmin,
                                               long knownEpoch) {
        Object notServing = notServingAnswerLocked();
        if (notServing != null) {
            return new DataBeat(notServing, false);
        }
        ClusterMembership.Heard heard = membership.dataHeartbeat(member, connection, memberAdmin);
        logIsolationEnded(heard);
        return new DataBeat(response(knownEpoch), heard.joined());
    }

    /** A session server's heartbeat: a {@link HeartbeatResponse} or a redirect. */
    public synchronized Object sessionHeartbeat(String member, RpcConnection connection, int clientConnections,
                                                String memberAdmin, long knownEpoch) {
        Object notServing = notServingAnswerLocked();
        if (notServing != null) {
            return notServing;
        }
        ClusterMembership.Heard heard = membership.sessionHeartbeat(member, connection, clientConnections,
                memberAdmin);
        logIsolationEnded(heard);
        if (heard.joined()) {
            log.info("session server {} joined", member);
        }
        return response(knownEpoch);
    }

    private void logIsolationEnded(ClusterMembership.Heard heard) {
        if (heard.endedIsolation()) {
            log.warn("members heard again after {} ms of silence: every lease restarts now", heard.silenceMillis());
        }
    }

    /** The table goes along whenever the member's epoch differs. */
    private HeartbeatResponse response(long knownEpoch) {
        return membership.heartbeatResponse(table, servingTerm, switches, knownEpoch, adminAddress.get());
    }

    /** The table, or a redirect. */
    public synchronized Object slotTableAnswer() {
        Object notServing = notServingAnswerLocked();
        return notServing != null ? notServing : table;
    }

    /** A data server drains: a {@link HeartbeatResponse} (the caller rebalances) or a redirect. */
    public synchronized Object leaving(String member, RpcConnection connection) {
        Object notServing = notServingAnswerLocked();
        if (notServing != null) {
            return notServing;
        }
        membership.leaving(member, connection);
        return response(Long.MIN_VALUE);
    }

    /** @see ClusterMembership#disconnected */
    public synchronized boolean disconnected(RpcConnection connection) {
        return membership.disconnected(connection);
    }

    /** @see ClusterMembership#holdsUnknownTable */
    public synchronized boolean holdsUnknownTable(String member, long knownEpoch, long leaderEpoch) {
        return membership.holdsUnknownTable(member, knownEpoch, leaderEpoch);
    }

    /**
     * A report of an unreachable data server.
     *
     * @param answer what to answer the reporter (a redirect, or whether the leader probes)
     * @param probe  the caller probes the suspect now, in {@code term}
     */
    public record Report(Object answer, boolean probe, long term) {
    }

    /** @param reportsOn false when this node probes nobody (leases decide alone) */
    public synchronized Report reportedUnreachable(String suspect, String reporter, boolean reportsOn) {
        Object notServing = notServingAnswerLocked();
        if (notServing != null) {
            return new Report(notServing, false, 0);
        }
        if (!reportsOn) {
            return new Report(Boolean.FALSE, false, 0); // reports are off: leases decide
        }
        boolean probe = membership.reportedUnreachable(suspect, reporter);
        return new Report(probe, probe, servingTerm);
    }

    /** The probe of {@code server} (started in {@code term}) ended; true if it is removed now (the caller rebalances). */
    public synchronized boolean probed(String server, String reporter, long term, boolean reachable) {
        if (!servingLocked() || servingTerm != term) {
            return false;
        }
        switch (membership.probed(server, reachable)) {
            case KEPT -> {
                if (reachable) {
                    log.info("data server {} answers meta's probe: keeping it ({} could not reach it)", server, reporter);
                } else {
                    log.info("meta's probe of data server {} failed but its heartbeats still arrive: keeping it", server);
                }
                return false;
            }
            case KEPT_WHILE_ISOLATED -> {
                log.warn("meta's probe of data server {} failed, but this meta hears no member at all: leaving it to "
                        + "its lease", server);
                return false;
            }
            case NOT_A_MEMBER -> {
                return false;
            }
            default -> {
                return true;
            }
        }
    }

    /** Removes members whose lease ran out; true if the data membership changed (the caller rebalances). */
    public synchronized boolean expireLeases() {
        if (!servingLocked()) {
            return false;
        }
        ClusterMembership.Expiry expiry = membership.expire();
        if (expiry.isolated()) {
            if (expiry.isolationBegan()) {
                log.warn("no data server or session heard for {} ms: this meta is more likely cut off than all of "
                        + "them dead; expiring no lease until one is heard", expiry.quietMillis());
            }
            return false;
        }
        expiry.data().forEach(a -> log.warn("data server {} missed its lease; removing it from the slot table", a));
        expiry.sessions().forEach(a -> log.warn("session server {} missed its lease", a));
        return !expiry.data().isEmpty();
    }

    /** The connection of every member, to push a table to. */
    public synchronized List<RpcConnection> memberConnections() {
        return membership.connections();
    }

    // ---- table changes ----

    /** True if the caller must queue a rebalance: requests made while one is queued fold into it. */
    public synchronized boolean queueRebalance() {
        if (rebalanceQueued) {
            return false;
        }
        rebalanceQueued = true;
        return true;
    }

    /** A table change to publish in {@code term}: {@code next} replaces {@code current} if their epochs differ. */
    public record Change(long term, SlotTable current, SlotTable next) {
    }

    /** The queued rebalance runs: the balanced table, or null if this node does not serve. */
    public synchronized Change rebalance() {
        rebalanceQueued = false;
        if (!servingLocked()) {
            return null;
        }
        return new Change(servingTerm, table, rebalanced(table));
    }

    /** The balancer's table for the live, non-leaving data servers. */
    private SlotTable rebalanced(SlotTable from) {
        return membership.tableServers().map(servers -> balancer.balance(from, servers)).orElse(from);
    }

    /** Installs a saved table: the one it replaces, or null if this node lost the term meanwhile. */
    public synchronized SlotTable install(SlotTable next, long term) {
        if (servingTerm != term || !election.isLeaderOf(term)) {
            log.warn("saved slot table epoch {} but lost the leadership before publishing it", next.epoch());
            return null;
        }
        SlotTable previous = table;
        table = next;
        return previous;
    }

    /** True if the caller must fetch a member's newer table: one fetch at a time. */
    public synchronized boolean startAdopting() {
        if (adopting) {
            return false;
        }
        adopting = true;
        return true;
    }

    /** An adoption of a member's table, decided in {@code term} while this leader's table had {@code ourEpoch}. */
    public record Adoption(long term, long ourEpoch) {
    }

    /** The fetch ended with {@code theirs} (null if it failed): what to adopt, or null if nothing. */
    public synchronized Adoption endAdopting(SlotTable theirs) {
        adopting = false;
        if (!servingLocked() || theirs == null || !theirs.isNewerThan(table) || theirs.slotCount() != table.slotCount()) {
            return null;
        }
        return new Adoption(servingTerm, table.epoch());
    }

    /** True the first time a foreign table at least this new is seen: it is reported once. */
    public synchronized boolean firstReportOf(SlotTable theirs) {
        if (!theirs.isNewerThan(reportedForeignTable)) {
            return false;
        }
        reportedForeignTable = theirs;
        return true;
    }

    /** The database raised this leadership's term from {@code term}; false if it ended meanwhile. */
    public synchronized boolean raisedTerm(long term, long raised) {
        if (servingTerm != term) {
            return false;
        }
        servingTerm = raised;
        return true;
    }

    /** The member's table continued under {@code term}: the next table to publish. */
    public synchronized SlotTable adopted(SlotTable theirs, long term, long ourEpoch) {
        membership.runningClusterFound(theirs.servers());
        SlotTable base = theirs.withTermAndEpoch(term, Math.max(theirs.epoch(), ourEpoch));
        SlotTable next = rebalanced(base);
        if (next.epoch() == base.epoch()) {
            next = base.withEpoch(base.epoch() + 1);
        }
        return next;
    }

    // ---- switches ----

    /** Serves {@code stored} if it is another version than the current switches. */
    public synchronized void adoptSwitches(OperationalSwitches stored) {
        if (stored.version() != switches.version()) {
            log.info("operational switches now {}", stored);
            switches = stored;
        }
    }

    // ---- reads ----

    /** The leader's current table; on a follower the last table it served (initial if never). */
    public synchronized SlotTable slotTable() {
        return table;
    }

    public synchronized Set<String> dataServers() {
        return membership.dataServers();
    }

    public synchronized Set<String> sessionServers() {
        return membership.sessionServers();
    }

    /** False while this leader, newly in charge of a running cluster, may not have heard every live session. */
    public synchronized boolean sessionListComplete() {
        return membership.sessionListComplete();
    }

    /** True while this node serves as the meta leader. */
    public synchronized boolean isLeader() {
        return servingLocked();
    }

    /** The term this node leads in, or 0. */
    public synchronized long term() {
        return servingLocked() ? servingTerm : 0;
    }

    public synchronized OperationalSwitches switches() {
        return switches;
    }

    /** The leader state at one instant, for operators. */
    public record View(boolean leader, long term, SlotTable table, ClusterMembership.Snapshot members) {
    }

    public synchronized View view() {
        boolean serving = servingLocked();
        return new View(serving, serving ? servingTerm : 0, table, membership.snapshot());
    }
}
