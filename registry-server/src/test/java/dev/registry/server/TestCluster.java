package dev.registry.server;

import com.google.common.net.HostAndPort;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.slot.SlotTable;
import dev.registry.data.DataServer;
import dev.registry.data.DataServerConfig;
import dev.registry.data.replication.SlotReplication;
import dev.registry.meta.MetaServer;
import dev.registry.meta.MetaServerConfig;
import dev.registry.session.SessionServer;
import dev.registry.session.SessionServerConfig;
import dev.registry.session.push.PushEngine;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/**
 * A real cluster in this JVM on 127.0.0.1 with free ports: one meta, data servers and
 * sessions, plus clients. Short leases so tests of failure run fast. Close it in teardown:
 * it stops every client and server it started.
 */
final class TestCluster implements AutoCloseable {
    static final int SLOTS = 64;
    static final String ADMIN_TOKEN = "test-token";

    final MetaServer meta;
    final List<DataServer> data = new CopyOnWriteArrayList<>();
    final List<SessionServer> sessions = new CopyOnWriteArrayList<>();
    private final List<RegistryClient> clients = new CopyOnWriteArrayList<>();

    TestCluster(int dataServers, int sessionServers) {
        meta = new MetaServer(new MetaServerConfig("127.0.0.1", 0, 0, SLOTS, 2, Duration.ofSeconds(3),
                Duration.ofSeconds(3), RpcConfig.serverDefaults().withWorkerThreads(2)), Clock.systemUTC()).start();
        for (int i = 0; i < dataServers; i++) {
            addDataServer();
        }
        for (int i = 0; i < sessionServers; i++) {
            addSession();
        }
        awaitStable();
    }

    List<HostAndPort> metaAddresses() {
        return List.of(HostAndPort.fromParts("127.0.0.1", meta.port()));
    }

    DataServer addDataServer() {
        DataServer d = new DataServer(new DataServerConfig("127.0.0.1", 0, 0, "127.0.0.1", metaAddresses(), SLOTS,
                Duration.ofMillis(300), Duration.ofSeconds(5), RpcConfig.serverDefaults().withWorkerThreads(2),
                SlotReplication.Settings.defaults(), ADMIN_TOKEN),
                Clock.systemUTC()).start();
        data.add(d);
        return d;
    }

    SessionServer addSession() {
        return addSession(PushEngine.Settings.defaults());
    }

    SessionServer addSession(PushEngine.Settings push) {
        RpcConfig clientRpc = RpcConfig.serverDefaults().withWorkerThreads(2).withHeartbeat(Duration.ZERO, Duration.ofSeconds(3));
        SessionServer s = new SessionServer(new SessionServerConfig("127.0.0.1", 0, 0, "127.0.0.1", metaAddresses(),
                SLOTS, Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5), clientRpc,
                push, ADMIN_TOKEN),
                Clock.systemUTC()).start();
        sessions.add(s);
        return s;
    }

    /** Waits until meta knows every data server and every node holds meta's current table. */
    void awaitStable() {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            SlotTable t = meta.slotTable();
            return meta.dataServers().size() == data.size() && t.isComplete()
                    && data.stream().allMatch(d -> d.slotTables().epoch() == t.epoch())
                    && sessions.stream().allMatch(s -> s.slotTables().epoch() == t.epoch() && s.isReady());
        });
    }

    RegistryClient client(SessionServer session) {
        RegistryClient c = RegistryClient.start(RegistryClientConfig.builder("127.0.0.1:" + session.port())
                .appName("test").requestTimeout(Duration.ofSeconds(10))
                .heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build());
        clients.add(c);
        return c;
    }

    /** The datum as the slot's current leader holds it. */
    Datum leaderDatum(DataInfoId id) {
        SlotTable t = meta.slotTable();
        int slot = t.slotOf(id);
        String leader = t.slot(slot).leader();
        DataServer d = data.stream().filter(x -> x.address().equals(leader)).findFirst().orElseThrow();
        return d.store().get(slot, id);
    }

    void stopDataServer(DataServer d) {
        data.remove(d);
        d.close();
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(clients);
        all.addAll(sessions);
        all.addAll(data);
        all.add(meta);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
