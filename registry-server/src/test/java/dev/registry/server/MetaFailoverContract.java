package dev.registry.server;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.DataServerHeartbeat;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.SessionServerHeartbeat;
import dev.registry.common.protocol.SlotTableChanged;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.meta.MetaServer;
import dev.registry.meta.store.JdbcMetaStore;
import dev.registry.meta.store.MetaDatabase;
import dev.registry.meta.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Meta high availability on a real database, with several meta nodes, data servers, sessions
 * and clients on 127.0.0.1: run against embedded H2 and against a real PostgreSQL server.
 */
abstract class MetaFailoverContract {
    private static final Duration PUSH_BOUND = Duration.ofSeconds(5);
    /** The lease bound plus room for a loaded 2-core machine. */
    private static final Duration TAKEOVER_BOUND = TestCluster.META_LEASE.takeoverBound().plusMillis(750);

    private MetaDatabase db;
    private TestCluster cluster;

    abstract MetaDatabase newDatabase() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        db = newDatabase();
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        TestDatabases.drop(db);
    }

    private SlotTable persistedTable() {
        try (JdbcMetaStore reader = new JdbcMetaStore(db, Duration.ofSeconds(2))) {
            return reader.loadSlotTable().orElseThrow();
        }
    }

    private Stream<SlotTableHolder> memberTables() {
        return Stream.concat(cluster.data.stream().map(d -> d.slotTables()), cluster.sessions.stream().map(s -> s.slotTables()));
    }

    private boolean everyMemberHolds(SlotTable t) {
        return memberTables().allMatch(h -> h.term() == t.term() && h.epoch() == t.epoch());
    }

    @Test
    void killedLeaderIsReplacedWithinTheLeaseBoundStartingFromThePersistedTable() {
        cluster = new TestCluster(db, 3, 2, 1);
        MetaServer old = cluster.leaderMeta();
        SlotTable before = old.slotTable();
        SlotTable saved = persistedTable();
        assertThat(saved.term()).isEqualTo(before.term());
        assertThat(saved.epoch()).isEqualTo(before.epoch());
        assertThat(saved.sameAssignments(before)).isTrue();

        assertThat(old.sessionListComplete()).as("the first leader of a new cluster misses no session").isTrue();

        long crashedAt = System.nanoTime();
        cluster.crashMeta(old);
        MetaServer next = await().atMost(TAKEOVER_BOUND).pollInterval(Duration.ofMillis(10)).until(
                () -> cluster.metas.stream().filter(MetaServer::isLeader).findFirst().orElse(null), m -> m != null);
        long takeoverMillis = (System.nanoTime() - crashedAt) / 1_000_000;
        // Chaos seed 5028: the sessions of a running cluster find a new leader one by one; until each
        // had a session lease (3 s here) to do so, its list must not pass for complete.
        assertThat(next.sessionListComplete()).as("a new leader of a running cluster may miss sessions").isFalse();

        SlotTable after = next.slotTable();
        assertThat(after.sameAssignments(saved)).as("the new leader starts from the persisted table").isTrue();
        assertThat(after.term()).isGreaterThan(saved.term());
        assertThat(after.epoch()).isEqualTo(saved.epoch() + 1);
        SlotTable savedAfter = persistedTable();
        assertThat(savedAfter.term()).isEqualTo(after.term());
        assertThat(savedAfter.sameAssignments(after)).isTrue();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> everyMemberHolds(after));
        long followedMillis = (System.nanoTime() - crashedAt) / 1_000_000;
        System.out.printf("meta failover (%s, lease %d ms, renew %d ms): new leader after %d ms, "
                        + "every data server and session on its table after %d ms%n", db.dialect(),
                TestCluster.META_LEASE.leaseDuration().toMillis(), TestCluster.META_LEASE.renewInterval().toMillis(),
                takeoverMillis, followedMillis);
        await().atMost(Duration.ofSeconds(10)).until(next::sessionListComplete);
        assertThat(next.sessionServers()).containsExactlyInAnyOrderElementsOf(
                cluster.sessions.stream().map(s -> s.sessionId()).toList());

        // The cluster works under the new leader, membership changes included.
        DataInfoId id = DataInfoId.of("meta.failover.after");
        RecordingObserver observer = new RecordingObserver();
        cluster.client(cluster.sessions.get(0)).subscribe(id, observer);
        cluster.client(cluster.sessions.get(0)).publish(id, List.of("10.0.0.1:1"));
        await().atMost(PUSH_BOUND).until(() -> List.of("10.0.0.1:1").equals(observer.lastValues()));
        cluster.addDataServer();
        cluster.awaitStable();
        assertThat(cluster.leaderMeta()).isSameAs(next);
        assertThat(next.slotTable().servers()).hasSize(3);
    }

    @Test
    void publishesAndPushesKeepWorkingWhileNoMetaRuns() {
        cluster = new TestCluster(db, 2, 2, 2);
        DataInfoId id = DataInfoId.of("meta.outage");
        RecordingObserver observer = new RecordingObserver();
        cluster.client(cluster.sessions.get(0)).subscribe(id, observer);
        RegistryClient publisherClient = cluster.client(cluster.sessions.get(1));
        Publication publication = publisherClient.publish(id, List.of("v1"));
        await().atMost(PUSH_BOUND).until(() -> List.of("v1").equals(observer.lastValues()));
        SlotTable table = cluster.leaderMeta().slotTable();
        List<Integer> metaPorts = cluster.metas.stream().map(MetaServer::port).toList();

        for (MetaServer m : new ArrayList<>(cluster.metas)) {
            cluster.crashMeta(m);
        }

        // No meta at all: the registry keeps serving with the last table.
        publication.update(List.of("v2"));
        await().atMost(PUSH_BOUND).until(() -> List.of("v2").equals(observer.lastValues()));
        DataInfoId fresh = DataInfoId.of("meta.outage.new");
        publisherClient.publish(fresh, List.of("n1"));
        RecordingObserver newcomer = new RecordingObserver();
        cluster.client(cluster.sessions.get(0)).subscribe(fresh, newcomer);
        await().atMost(PUSH_BOUND).until(() -> List.of("n1").equals(newcomer.lastValues()));
        assertThat(everyMemberHolds(table)).as("nothing changed the table").isTrue();
        assertThat(cluster.sessions).allMatch(s -> s.isReady());

        // Meta comes back (same addresses, same database): it continues from the persisted table.
        metaPorts.forEach(cluster::startMeta);
        MetaServer leader = cluster.leaderMeta();
        SlotTable resumed = leader.slotTable();
        assertThat(resumed.sameAssignments(table)).isTrue();
        assertThat(resumed.term()).isGreaterThan(table.term());
        await().atMost(Duration.ofSeconds(10)).until(() -> everyMemberHolds(leader.slotTable()));
        publication.update(List.of("v3"));
        await().atMost(PUSH_BOUND).until(() -> List.of("v3").equals(observer.lastValues()));
        assertThat(observer.versionsIncrease()).isTrue();
    }

    @Test
    void partitionedOldLeaderCannotPushATableDataServersAccept() {
        cluster = new TestCluster(db, 2, 2, 1);
        MetaServer a = cluster.leaderMeta();
        MetaServer b = cluster.metas.stream().filter(m -> m != a).findFirst().orElseThrow();
        long oldTerm = a.term();

        // A loses the database but not the members.
        long cutAt = System.nanoTime();
        cluster.storeOf(a).cut();
        AtomicBoolean twoLeaders = new AtomicBoolean();
        AtomicInteger stoppedAfterMillis = new AtomicInteger(-1);
        await().atMost(TAKEOVER_BOUND).pollInterval(Duration.ofMillis(5)).until(() -> {
            boolean aLeads = a.isLeader();
            boolean bLeads = b.isLeader();
            twoLeaders.compareAndSet(false, aLeads && bLeads);
            if (!aLeads) {
                stoppedAfterMillis.compareAndSet(-1, (int) ((System.nanoTime() - cutAt) / 1_000_000));
            }
            return bLeads;
        });
        assertThat(twoLeaders).as("never two meta leaders at once").isFalse();
        assertThat(stoppedAfterMillis.get()).as("A stops before its lease can run out")
                .isBetween(0, (int) TestCluster.META_LEASE.leaseDuration().toMillis());
        assertThat(b.term()).isGreaterThan(oldTerm);
        await().atMost(Duration.ofSeconds(10)).until(() -> everyMemberHolds(b.slotTable()));

        // A membership change goes through B only.
        cluster.stopDataServer(cluster.data.get(1));
        await().atMost(Duration.ofSeconds(15)).until(() -> b.slotTable().servers().size() == 1);
        SlotTable current = b.slotTable();
        await().atMost(Duration.ofSeconds(10)).until(() -> everyMemberHolds(current));
        assertThat(a.isLeader()).isFalse();

        // The old leader's process comes back speaking for its old term with a newer epoch, pushing a
        // table that hands every slot elsewhere; B dies, so members can only talk to it.
        SlotTable stale = staleTable(oldTerm, current.epoch() + 100, current.slotCount());
        int aPort = a.port();
        cluster.crashMeta(a);
        try (RogueMeta rogue = new RogueMeta(aPort, stale)) {
            cluster.crashMeta(b);
            int members = cluster.data.size() + cluster.sessions.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> rogue.heartbeats.get() >= 3 * members);
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> everyMemberHolds(current));
            assertThat(rogue.pushes.get()).isPositive();
        }
        // ...and the registry still serves with the legitimate table.
        DataInfoId id = DataInfoId.of("meta.fenced");
        RecordingObserver observer = new RecordingObserver();
        cluster.client(cluster.sessions.get(0)).subscribe(id, observer);
        cluster.client(cluster.sessions.get(0)).publish(id, List.of("ok"));
        await().atMost(PUSH_BOUND).until(() -> List.of("ok").equals(observer.lastValues()));
    }

    private static SlotTable staleTable(long term, long epoch, int slots) {
        List<SlotAssignment> all = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            all.add(new SlotAssignment(i, "127.0.0.1:1", List.of()));
        }
        return new SlotTable(term, epoch, all);
    }

    /** Speaks the meta protocol for a deposed term: answers every heartbeat and pushes its stale table. */
    private static final class RogueMeta implements AutoCloseable {
        final AtomicInteger heartbeats = new AtomicInteger();
        final AtomicInteger pushes = new AtomicInteger();
        private final RpcServer server;

        RogueMeta(int port, SlotTable stale) {
            HandlerRegistry handlers = new HandlerRegistry()
                    .register(DataServerHeartbeat.class, (c, hb) -> answer(c, stale))
                    .register(SessionServerHeartbeat.class, (c, hb) -> answer(c, stale));
            server = new RpcServer("rogue-meta", RpcConfig.serverDefaults().withWorkerThreads(2), WireClasses.serializer(),
                    handlers, new ConnectionListener() { });
            server.start("127.0.0.1", port);
        }

        private HeartbeatResponse answer(RpcConnection c, SlotTable stale) {
            heartbeats.incrementAndGet();
            c.send(new SlotTableChanged(stale));
            pushes.incrementAndGet();
            return new HeartbeatResponse(stale.epoch(), stale, new ArrayList<>(), new ArrayList<>());
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
