package dev.registry.server;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.RegisterAck;
import dev.registry.common.protocol.UnregisterPublisherRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.server.chaos.FaultyProxy;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Found by the chaos checker (seed 1 of {@code ChaosTest} in CI, 2026-12-06): a client whose
 * session died unregistered a publication before it had re-registered anything with its next
 * session. The call returned, yet the value stayed in every push until the data server gave the
 * dead session up (its grace, 5 s in tests, longer in production): the client had sent nothing
 * (no connection), or the new session, not holding the registration, answered without telling the
 * slot leader. Now the client sends a withdrawal made while disconnected with its next handshake,
 * and a session forwards an unregister of a registration it does not hold as a "left behind"
 * removal, which the slot leader carries out only for a registration of a session that is gone
 * (a live session withdraws its own when the client's connection closes; an unrelated client
 * cannot remove what a live session holds).
 */
class UnregisterAfterSessionLossTest {
    private static final DataInfoId ID = DataInfoId.of("svc.unregister-after-loss");
    /** Far longer than the waits below: only the unregister can remove the value in time. */
    private static final Duration GRACE = Duration.ofSeconds(60);

    private TestCluster cluster;
    private FaultyProxy proxy;
    private RegistryClient client;
    private RpcClient raw;

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {client, raw, proxy, cluster}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing the rest matters more
                }
            }
        }
    }

    @Test
    void anUnregisterMadeWhileDisconnectedReachesTheSlotLeaderThroughTheNextSession() {
        cluster = new TestCluster(1, 2, GRACE);
        SessionServer first = cluster.sessions.get(0);
        SessionServer second = cluster.sessions.get(1);
        RecordingObserver watcher = new RecordingObserver();
        cluster.client(second).subscribe(ID, watcher);
        Publication publication = startClientThroughProxy(first).publish(ID, List.of("10.0.0.1:1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.0.0.1:1").equals(watcher.lastValues()));

        proxy.setRefusing(true); // the client stays disconnected ...
        first.close(); // ... from a session that dies without withdrawing anything
        proxy.resetAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sessionAddress().isEmpty());
        publication.unregister(); // nothing to send it through now

        proxy.retarget(second.port());
        proxy.setRefusing(false);
        await().atMost(Duration.ofSeconds(15)).until(() -> watcher.lastValues() != null && watcher.lastValues().isEmpty());
        assertThat(cluster.leaderDatum(ID).values()).isEmpty();
    }

    @Test
    void aSessionForwardsAnUnregisterOfWhatItDoesNotHoldOnlyForARegistrationLeftBehindByADeadSession() throws Exception {
        cluster = new TestCluster(1, 3, GRACE);
        SessionServer first = cluster.sessions.get(0);
        SessionServer second = cluster.sessions.get(1);
        RecordingObserver watcher = new RecordingObserver();
        cluster.client(cluster.sessions.get(2)).subscribe(ID, watcher);
        RegistryClient owner = cluster.client(first);
        Publication held = owner.publish(ID, List.of("10.0.0.1:1"));
        Publication orphan = startClientThroughProxy(first).publish(ID, List.of("10.0.0.2:2"));
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.lastValues() != null && watcher.lastValues().size() == 2);

        raw = new RpcClient("raw", RpcConfig.clientDefaults(), WireClasses.serializer(), new HandlerRegistry(),
                new ConnectionListener() { });
        RpcConnection other = raw.connect("127.0.0.1", second.port()).get();
        // The first session is alive and holds it: a client on another session cannot take it away.
        other.call(new UnregisterPublisherRequest(ID, held.registerId()), RegisterAck.class, Duration.ofSeconds(10)).get();
        assertThat(cluster.leaderDatum(ID).values()).contains("10.0.0.1:1");

        // The client behind the proxy moves on as the first session dies; before it re-registers anything, it
        // unregisters through its new session (here: a connection of its own to the second session).
        proxy.setRefusing(true);
        owner.close();
        first.close();
        other.call(new UnregisterPublisherRequest(ID, orphan.registerId()), RegisterAck.class, Duration.ofSeconds(10))
                .get();
        await().atMost(Duration.ofSeconds(15)).until(() -> watcher.lastValues() != null
                && !watcher.lastValues().contains("10.0.0.2:2"));
    }

    private RegistryClient startClientThroughProxy(SessionServer session) {
        try {
            proxy = new FaultyProxy(session.port());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        client = RegistryClient.start(RegistryClientConfig.builder(FaultyProxy.addresses(List.of(proxy)))
                .appName("test").requestTimeout(Duration.ofSeconds(10))
                .heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build());
        return client;
    }
}
