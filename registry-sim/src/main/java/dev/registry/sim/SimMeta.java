package dev.registry.sim;

import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.slot.SlotBalancer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The meta leader in the simulation: data servers heartbeat it, it keeps those heard within the
 * lease, and the real {@link SlotBalancer} turns that set into the slot table, pushed to every
 * data server and session (and returned in heartbeat answers, for those a push missed). A
 * server that asks to leave is taken out first (a drain). Meta's own failover is not simulated:
 * a meta outage fault makes it unreachable, and when it comes back it grants every server a
 * fresh lease, as a new meta leader does.
 */
final class SimMeta implements SimNetwork.Handler {
    /** A data server asks to be taken out of the table (drain). */
    record Leave(String address) {
    }

    /** A session asks for the table (its heartbeat). */
    record SessionBeat(String sessionId) {
    }

    static final long LEASE_MILLIS = 1_000;

    private final String address;
    private final SimLoop loop;
    private final SimNetwork net;
    private final SimClock clock;
    private final SlotBalancer balancer = new SlotBalancer(SlotBalancer.DEFAULT_REPLICAS);
    private final List<String> sessions;
    private final Map<String, Long> lastBeat = new TreeMap<>();
    private final Map<String, Long> lastSessionBeat = new TreeMap<>();
    private final Set<String> leaving = new HashSet<>();
    private SlotTable table;
    private boolean wasDown;
    /** Since when meta has heard members without a break (its session list is complete a lease later). */
    private long listeningSince;
    private final java.util.function.Consumer<String> log;

    SimMeta(String address, SimLoop loop, SimNetwork net, SimClock clock, int slotCount, List<String> sessions,
            java.util.function.Consumer<String> log) {
        this.log = log;
        this.address = address;
        this.loop = loop;
        this.net = net;
        this.clock = clock;
        this.sessions = List.copyOf(sessions);
        this.table = SlotTable.initial(slotCount);
        this.listeningSince = clock.monotonicMillis();
        net.attach(address, this);
        tick();
    }

    String address() {
        return address;
    }

    SlotTable table() {
        return table;
    }

    private void tick() {
        loop.afterMillis(100, () -> {
            if (!net.isRunning(address)) {
                wasDown = true;
            } else {
                if (wasDown) {
                    wasDown = false;
                    long now = clock.monotonicMillis();
                    lastBeat.replaceAll((a, t) -> now); // a meta back from an outage waits a lease before judging
                    lastSessionBeat.replaceAll((a, t) -> now);
                    listeningSince = now;
                }
                rebalance();
            }
            tick();
        });
    }

    private void rebalance() {
        long now = clock.monotonicMillis(); // leases on the monotonic clock, as MetaServer's
        Set<String> live = new HashSet<>();
        lastBeat.forEach((a, t) -> {
            if (now - t <= LEASE_MILLIS && !leaving.contains(a)) {
                live.add(a);
            }
        });
        if (live.isEmpty()) {
            return; // nothing to give the slots to: keep the table until a server is back
        }
        SlotTable next = balancer.balance(table, live);
        if (next != table) {
            StringBuilder moved = new StringBuilder();
            for (int s = 0; s < next.slotCount(); s++) {
                if (!java.util.Objects.equals(next.slot(s).leader(), table.slot(s).leader())) {
                    moved.append(' ').append(s).append(':').append(table.slot(s).leader()).append("->")
                            .append(next.slot(s).leader());
                }
            }
            log.accept("table epoch " + next.epoch() + " over " + new java.util.TreeSet<>(live) + "; leaders moved:" + moved);
            table = next;
            List<String> everyone = new ArrayList<>(lastBeat.keySet());
            everyone.addAll(sessions);
            for (String node : everyone) {
                net.send(address, node, table);
            }
        }
    }

    @Override
    public Object handle(String from, Object m) {
        if (m instanceof SimDataNode.Beat b) {
            lastBeat.put(b.address(), clock.monotonicMillis());
            return new SimDataNode.MetaView(table, liveSessions(),
                    clock.monotonicMillis() - listeningSince >= SESSION_LEASE_MILLIS);
        } else if (m instanceof SessionBeat s) {
            lastSessionBeat.put(s.sessionId(), clock.monotonicMillis());
            return table;
        } else if (m instanceof Leave l) {
            leaving.add(l.address());
            return null;
        }
        throw new RpcException(ErrorCode.NO_HANDLER, "meta: no handler for " + m.getClass().getSimpleName());
    }

    /** Sessions heard within the session lease (meta's member list, as data servers get it). */
    private List<String> liveSessions() {
        long now = clock.monotonicMillis();
        List<String> out = new ArrayList<>();
        lastSessionBeat.forEach((s, t) -> {
            if (now - t <= SESSION_LEASE_MILLIS) {
                out.add(s);
            }
        });
        return out;
    }

    static final long SESSION_LEASE_MILLIS = 3_000;

    /** Meta's clock jumps (its leases judge by it). */
    void clockJump(long millis) {
        clock.jump(millis);
    }

    /** A server restarted under the same address may join again. */
    void forgetLeaving(String dataAddress) {
        leaving.remove(dataAddress);
    }
}
