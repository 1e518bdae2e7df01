package dev.registry.meta.leader;

import dev.registry.common.protocol.GetSlotTableRequest;
import dev.registry.common.protocol.SlotTableChanged;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaderElection;
import dev.registry.meta.lease.LeaseLostException;
import dev.registry.meta.store.MetaStore;
import dev.registry.meta.store.MetaStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Changes the leader's slot table: recomputes it when the data membership changed, saves it in
 * the database under the leader's term, and only then installs it in {@link LeaderState} and
 * pushes it to every member. A write the database refuses (lease lost) deposes this node.
 *
 * <p>Threading: {@link #requestRebalance} and {@link #adoptNewerTable} may be called from any
 * thread and hand the work to the {@link StateThread}; everything else runs on it, so tables are
 * saved and pushed in order.
 */
public final class SlotTablePublisher {
    private static final Logger log = LoggerFactory.getLogger(SlotTablePublisher.class);
    private static final Duration MEMBER_CALL_TIMEOUT = Duration.ofSeconds(3);

    private final LeaderState leader;
    private final MetaStore store;
    private final LeaderElection election;
    private final StateThread state;

    public SlotTablePublisher(LeaderState leader, MetaStore store, LeaderElection election, StateThread state) {
        this.leader = leader;
        this.store = store;
        this.election = election;
        this.state = state;
    }

    /** Recomputes the table on the state thread soon; requests made meanwhile fold into one run. */
    public void requestRebalance() {
        if (leader.queueRebalance()) {
            state.run(this::rebalanceAndPublish);
        }
    }

    private void rebalanceAndPublish() {
        LeaderState.Change change = leader.rebalance();
        if (change == null) {
            return;
        }
        if (change.next().epoch() != change.current().epoch()) {
            if (!publish(change.next(), change.term()) && election.isLeaderOf(change.term())) {
                state.retryLater(this::requestRebalance);
            }
        }
    }

    /** Saves {@code next}, then installs and pushes it. False if it was not saved. */
    private boolean publish(SlotTable next, long term) {
        if (!save(next, term)) {
            return false;
        }
        SlotTable previous = leader.install(next, term);
        if (previous == null) {
            return true; // saved, but the leadership was lost before publishing it
        }
        // Migration progress for operators: how much of the table this change moves.
        int leadersMoved = 0;
        int followersChanged = 0;
        for (int slot = 0; slot < next.slotCount(); slot++) {
            var before = previous.slot(slot);
            var after = next.slot(slot);
            if (!Objects.equals(before.leader(), after.leader())) {
                leadersMoved++;
            }
            if (!before.followers().equals(after.followers())) {
                followersChanged++;
            }
        }
        log.info("slot table term {} epoch {} for data servers {}: {} of {} slots change leader, {} change followers",
                next.term(), next.epoch(), next.servers(), leadersMoved, next.slotCount(), followersChanged);
        push(next);
        return true;
    }

    /** Writes the table in {@code term}; a refused write (lease lost) deposes this node. False if it was not saved. */
    public boolean save(SlotTable next, long term) {
        try {
            store.saveSlotTable(election.candidateId(), term, next);
            return true;
        } catch (LeaseLostException e) {
            log.warn("not publishing slot table epoch {}: {}", next.epoch(), e.getMessage());
            election.onLeaseLost("the database refused a write in term " + term);
            return false;
        } catch (MetaStoreException e) {
            log.warn("cannot save slot table epoch {}, retrying: {}", next.epoch(), e.getMessage());
            return false;
        }
    }

    private void push(SlotTable t) {
        List<RpcConnection> targets = leader.memberConnections();
        SlotTableChanged message = new SlotTableChanged(t);
        for (RpcConnection c : targets) {
            c.send(message);
        }
    }

    /**
     * A member knows a newer table than this leader. Without a database this node restarted and
     * lost its table: take the member's as the starting point, so no slot moves, and continue its
     * epochs under a term above the member's. With a database this cannot happen to a correct
     * cluster (every table is saved before it is pushed): the database was reset or this node
     * points at the wrong one, and taking the cluster over from it could split the cluster, so
     * the leader only reports it.
     */
    public void adoptNewerTable(RpcConnection member, long memberEpoch) {
        if (!leader.startAdopting()) {
            return;
        }
        member.call(new GetSlotTableRequest(), SlotTable.class, MEMBER_CALL_TIMEOUT)
                .whenComplete((t, e) -> state.run(() -> adopt(t, e, member, memberEpoch)));
    }

    private void adopt(SlotTable theirs, Throwable error, RpcConnection member, long memberEpoch) {
        LeaderState.Adoption adoption = leader.endAdopting(error == null ? theirs : null);
        if (error != null) {
            log.warn("cannot fetch the newer slot table (epoch {}) from {}: {}", memberEpoch,
                    member.remoteAddress(), error.getMessage());
            return;
        }
        if (adoption == null) {
            return;
        }
        long term = adoption.term();
        long ourEpoch = adoption.ourEpoch();
        if (store.persistent()) {
            if (!leader.firstReportOf(theirs)) {
                return;
            }
            log.error("member {} holds slot table term {} epoch {}, newer than anything the database {} holds (term {} "
                            + "epoch {}): the database was reset or this meta uses the wrong one. Members refuse this "
                            + "leader's tables while theirs is newer; point every meta at the cluster's database, or "
                            + "restart the data and session servers so that they take this leader's table.",
                    member.remoteAddress(), theirs.term(), theirs.epoch(), store.description(), term, ourEpoch);
            return;
        }
        log.warn("adopting slot table term {} epoch {} from {} (this leader had term {} epoch {})", theirs.term(),
                theirs.epoch(), member.remoteAddress(), term, ourEpoch);
        if (theirs.term() >= term) {
            try {
                long raised = election.raiseTerm(term, theirs.term());
                if (!leader.raisedTerm(term, raised)) {
                    return;
                }
                term = raised;
            } catch (LeaseLostException e) {
                election.onLeaseLost(e.getMessage());
                return;
            } catch (MetaStoreException e) {
                log.warn("cannot raise the term to adopt the member's table: {}", e.getMessage());
                return;
            }
        }
        // Its servers may not have found this node yet: they get the takeover grace, so nothing moves.
        publish(leader.adopted(theirs, term, ourEpoch), term);
    }
}
