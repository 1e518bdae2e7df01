package dev.registry.server.chaos;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of a chaos scenario: one anchor client publishing one value per id and never
 * closed, two subscriber clients subscribing to every id, and churn clients that publish,
 * update, unregister, die and are replaced. Each group is given the session addresses it
 * connects to (proxies in the in-JVM harness, session ports in the process-level one).
 * The ground truth of live publishers is what the churn clients hold.
 */
final class Workload implements AutoCloseable {
    static final int IDS = 10;
    static final int CHURN_CLIENTS = 3;

    private final InvariantChecker checker;
    private final String churnServers;
    private final List<DataInfoId> ids = new ArrayList<>();
    private final List<ChurnClient> churn = new CopyOnWriteArrayList<>();
    private final List<RegistryClient> allClients = new CopyOnWriteArrayList<>();
    private final AtomicLong valueCounter = new AtomicLong();
    private final RegistryClient anchor;
    private final java.util.function.Predicate<String> isDamped;
    private final int subscriberClients;

    /** A client that comes and goes and publishes random values. */
    private static final class ChurnClient {
        final RegistryClient client;
        final List<Publication> live = new CopyOnWriteArrayList<>();
        /** Set before its values are taken as dead: a value it gets acknowledged after that is uncertain. */
        volatile boolean dying;

        ChurnClient(RegistryClient client) {
            this.client = client;
        }
    }

    /**
     * @param anchorServers     where the anchor client connects ("host:port,host:port")
     * @param subscriberServers one address list per subscriber client
     * @param churnServers      where churn clients connect
     */
    /** The sessions' damping hold (the default): how long a damped client's publishers outlive it on purpose. */
    static final Duration DAMPING_HOLD = dev.registry.session.damping.FlapDamper.Settings.defaults().hold();

    /**
     * @param isDamped whether a session would hold a client's publishers (by its id) through its
     *                 next lost link (it is damped, or that loss damps it): its death shows later
     */
    Workload(InvariantChecker checker, String anchorServers, List<String> subscriberServers, String churnServers,
             java.util.function.Predicate<String> isDamped) {
        this.checker = checker;
        this.isDamped = isDamped;
        this.churnServers = churnServers;
        this.subscriberClients = subscriberServers.size();
        for (int i = 0; i < IDS; i++) {
            ids.add(DataInfoId.of("chaos." + i));
        }
        anchor = newClient(anchorServers, "anchor");
        for (DataInfoId id : ids) {
            anchor.publish(id, List.of(InvariantChecker.anchorValue(id)));
        }
        for (String servers : subscriberServers) {
            RegistryClient subClient = newClient(servers, "subscriber");
            for (DataInfoId id : ids) {
                subClient.subscribe(id, checker.newSubscriber(id)::record);
            }
        }
        for (int i = 0; i < CHURN_CLIENTS; i++) {
            churn.add(new ChurnClient(newClient(churnServers, "churn")));
        }
        checker.log("workload: " + IDS + " ids, anchors on " + anchorServers + ", " + subscriberServers.size()
                + " subscriber clients, " + CHURN_CLIENTS + " churn clients on " + churnServers);
    }

    private RegistryClient newClient(String servers, String app) {
        RegistryClient c = RegistryClient.start(RegistryClientConfig.builder(servers).appName(app)
                .requestTimeout(Duration.ofSeconds(10)).heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build());
        allClients.add(c);
        return c;
    }

    /** Subscribers the checker follows (every id, per subscriber client). */
    int subscriberCount() {
        return subscriberClients * IDS;
    }

    /** The session (or proxy) the anchor client is connected to now. */
    Optional<InetSocketAddress> anchorSession() {
        return anchor.sessionAddress();
    }

    List<RegistryClient> clients() {
        return allClients;
    }

    /**
     * One random operation of a churn client: publish, update or unregister. What the registry
     * acknowledged is reported to the checker (a new value live, an old one retired); a failed
     * operation leaves its values uncertain and is rethrown.
     */
    void step(Random r) {
        if (r.nextInt(60) == 0) {
            // Clients also come and go between faults (every ~2.4 s at the workload's pace): each
            // close is a withdrawal the registry must carry out within its bound.
            clientDies(r, false);
            return;
        }
        ChurnClient c = churn.get(r.nextInt(churn.size()));
        int op = r.nextInt(10);
        if (op < 4 && c.live.size() < 3) {
            DataInfoId id = ids.get(r.nextInt(ids.size()));
            String value = "churn:" + valueCounter.incrementAndGet();
            try {
                c.live.add(c.client.publish(id, List.of(value)));
            } catch (RuntimeException e) {
                checker.uncertain(value);
                throw e;
            }
            acknowledged(c, value, id);
        } else if (op < 8 && !c.live.isEmpty()) {
            Publication p = c.live.get(r.nextInt(c.live.size()));
            List<String> old = p.values();
            String value = "churn:" + valueCounter.incrementAndGet();
            try {
                p.update(List.of(value));
            } catch (RuntimeException e) {
                old.forEach(checker::uncertain);
                checker.uncertain(value);
                throw e;
            }
            old.forEach(v -> checker.retired(v, p.dataInfoId()));
            acknowledged(c, value, p.dataInfoId());
        } else if (!c.live.isEmpty()) {
            Publication p = c.live.remove(r.nextInt(c.live.size()));
            try {
                p.unregister();
            } catch (RuntimeException e) {
                p.values().forEach(checker::uncertain);
                throw e;
            }
            p.values().forEach(v -> checker.retired(v, p.dataInfoId()));
        }
    }

    /** A value the registry acknowledged; uncertain if its client began dying meanwhile (on another thread). */
    private void acknowledged(ChurnClient c, String value, DataInfoId id) {
        checker.acknowledged(value, id);
        if (c.dying) {
            checker.uncertain(value);
        }
    }

    /** A churn client dies (closes without unregistering) and a new one takes its place: the fault "client dies". */
    void clientDies(Random r) {
        clientDies(r, true);
    }

    private void clientDies(Random r, boolean asFault) {
        ChurnClient dying = churn.get(r.nextInt(churn.size()));
        dying.dying = true;
        Map<String, DataInfoId> values = new HashMap<>();
        dying.live.forEach(p -> p.values().forEach(v -> values.put(v, p.dataInfoId())));
        if (asFault) {
            checker.count("client dies");
        }
        checker.log((asFault ? "" : "workload: ") + "client dies with " + dying.live.size() + " publishers " + values.keySet());
        churn.remove(dying);
        boolean damped = isDamped.test(dying.client.clientId());
        if (damped) {
            checker.log("its links flapped: damped, publishers held " + DAMPING_HOLD.toMillis() + " ms");
        }
        checker.clientDied(values, damped ? DAMPING_HOLD : Duration.ZERO);
        dying.client.close();
        churn.add(new ChurnClient(newClient(churnServers, "churn")));
    }

    /** Ground truth: the anchor and every live churn publication of {@code id}. */
    Set<String> expected(DataInfoId id) {
        Set<String> out = new HashSet<>();
        out.add(InvariantChecker.anchorValue(id));
        for (ChurnClient c : churn) {
            for (Publication p : c.live) {
                if (p.dataInfoId().equals(id)) {
                    out.addAll(p.values());
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        allClients.forEach(RegistryClient::close);
    }
}
