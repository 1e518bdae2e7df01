package dev.registry.session.balance;

import dev.registry.common.meta.MetaClient;
import dev.registry.common.protocol.ReconnectRequest;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcServer;
import dev.registry.session.bolt.SofaClientPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Asks clients of the session's own port to reconnect to another session: all of them when the
 * session drains, some in a balancing round when it holds clearly more than its share
 * ({@link ConnectionBalancer}). A client asked to move no longer counts toward this session's
 * load, and its publishers are withdrawn only {@link #GRACE} after it left.
 *
 * <p>Threading: balancing rounds on the scheduler thread; the rest from any thread.
 */
public final class ClientMigration {
    private static final Logger log = LoggerFactory.getLogger(ClientMigration.class);
    /** How long the publishers of a client asked to move stay after it left: time to re-register elsewhere. */
    public static final Duration GRACE = Duration.ofSeconds(10);

    private final String sessionId;
    private final RpcServer clientServer;
    private final MetaClient meta;
    private final ScheduledExecutorService scheduler;
    private final ConnectionBalancer.Settings settings;
    private final BooleanSupplier serving;
    /** Connections asked to move elsewhere: their publishers are withdrawn only after a grace period. */
    private final Set<String> migrating = ConcurrentHashMap.newKeySet();
    /** Which clients a balancing round moves; from the node's RandomSource, so a seed replays it. */
    private final Random random;
    /** Owned by the scheduler thread (balancing rounds). */
    private final ConnectionBalancer.Damper damper = new ConnectionBalancer.Damper();
    private final LongAdder clientsMoved = new LongAdder();
    private volatile boolean draining;

    /**
     * @param sessionId    this session's client address, as meta's counts name it
     * @param clientServer the session's own client port
     * @param serving      the session is started, not stopping and ready
     * @param random       shuffles the clients a balancing round may move
     */
    public ClientMigration(String sessionId, RpcServer clientServer, MetaClient meta, ScheduledExecutorService scheduler,
                           ConnectionBalancer.Settings settings, BooleanSupplier serving, Random random) {
        this.sessionId = sessionId;
        this.clientServer = clientServer;
        this.meta = meta;
        this.scheduler = scheduler;
        this.settings = settings;
        this.serving = serving;
        this.random = random;
    }

    /**
     * Graceful stop, first half: stop accepting clients, turn not-ready (load balancers stop
     * sending new ones), ask every client to reconnect elsewhere, and wait until they left or
     * the timeout passed. Their publishers stay on the data servers until they re-registered.
     *
     * @param sofa the session's SOFARegistry port, drained too; null when off
     */
    public void drain(Duration timeout, SofaClientPort sofa) {
        if (draining) {
            return;
        }
        draining = true;
        clientServer.stopAccepting();
        if (sofa != null) {
            sofa.drain();
        }
        List<RpcConnection> clients = new ArrayList<>(clientServer.connections());
        log.info("draining: asking {} clients to reconnect elsewhere", clients.size());
        askToMove(clients, "session is shutting down");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!clientServer.connections().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50); // bounded wait for clients to leave during shutdown
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("drained: {} clients still connected", clientServer.connections().size());
    }

    private void askToMove(List<RpcConnection> clients, String reason) {
        ReconnectRequest request = new ReconnectRequest(reason);
        for (RpcConnection c : clients) {
            migrating.add(c.id());
            c.send(request);
        }
    }

    public boolean isDraining() {
        return draining;
    }

    /** Forgets a closed connection; true if it had been asked to move. */
    public boolean forget(String connectionId) {
        return migrating.remove(connectionId);
    }

    /** Clients asked to move in balancing rounds so far. */
    public long clientsAskedToMove() {
        return clientsMoved.sum();
    }

    /** Takes new clients: not draining, and serving. */
    private boolean takingClients() {
        return !draining && serving.getAsBoolean();
    }

    /** What meta is told: clients that stay here (asked-to-move ones excluded), or -1 while taking none. */
    public int clientLoad() {
        if (!takingClients()) {
            return -1;
        }
        return Math.max(0, clientServer.connections().size() - migrating.size());
    }

    /** Client addresses of the sessions taking clients, as the meta leader last reported them (self first). */
    public List<String> sessionsTakingClients() {
        List<String> out = new ArrayList<>();
        if (takingClients()) {
            out.add(sessionId);
        }
        var last = meta.lastResponse();
        if (last != null && last.sessionConnections() != null) {
            new TreeMap<>(last.sessionConnections()).forEach((session, clients) -> {
                if (clients >= 0 && !session.equals(sessionId)) {
                    out.add(session);
                }
            });
        }
        return out;
    }

    /**
     * One balancing round: if this session holds clearly more clients than the average of the
     * sessions taking clients, ask some of them (within the round's budget) to move to the
     * sessions below it. Their publishers stay until they re-registered there, as in a drain.
     */
    public void balanceClients() {
        try {
            var last = meta.lastResponse();
            if (!takingClients() || last == null || last.sessionConnections() == null) {
                return;
            }
            if (last.sessionListIncomplete()) {
                return; // a new meta leader may not know every session yet: the average would be wrong
            }
            List<RpcConnection> movable = new ArrayList<>();
            for (RpcConnection c : clientServer.connections()) {
                if (!migrating.contains(c.id()) && c.isActive()) {
                    movable.add(c);
                }
            }
            // Meta's picture for every session, this one included: the counts of one moment.
            Map<String, Integer> counts = new HashMap<>(last.sessionConnections());
            Map<String, Integer> plan = ConnectionBalancer.plan(sessionId, counts, settings.tolerance(),
                    settings.budget(movable.size()));
            if (!damper.shouldAct(counts, settings.tolerance(), !plan.isEmpty())) {
                return;
            }
            Collections.shuffle(movable, random);
            int next = 0;
            for (Map.Entry<String, Integer> move : plan.entrySet()) {
                ReconnectRequest request = new ReconnectRequest("rebalancing clients across sessions", move.getKey());
                for (int i = 0; i < move.getValue() && next < movable.size(); i++) {
                    RpcConnection c = movable.get(next++);
                    migrating.add(c.id());
                    c.send(request);
                    // A client that ignores the request (an old one) counts again after the grace.
                    scheduler.schedule(() -> {
                        if (c.isActive()) {
                            migrating.remove(c.id());
                        }
                    }, GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            clientsMoved.add(next);
            log.info("balancing clients: asked {} of {} to move {} (clients per session: {})", next, movable.size(),
                    plan, new TreeMap<>(counts));
        } catch (RuntimeException e) {
            log.warn("client balancing round failed", e);
        }
    }
}
