package dev.registry.meta.store;

import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaseLostException;
import dev.registry.meta.lease.LeaseRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What every meta database must do; run against embedded H2 and a real PostgreSQL. */
abstract class JdbcMetaStoreContract {
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final Duration SHORT_LEASE = Duration.ofMillis(400);

    MetaDatabase db;
    final List<JdbcMetaStore> stores = new ArrayList<>();

    abstract MetaDatabase newDatabase() throws Exception;

    @BeforeEach
    void setUpDatabase() throws Exception {
        db = newDatabase();
    }

    @AfterEach
    void tearDownDatabase() {
        stores.forEach(JdbcMetaStore::close);
        TestDatabases.drop(db);
    }

    JdbcMetaStore store() {
        JdbcMetaStore s = new JdbcMetaStore(db, TIMEOUT);
        stores.add(s);
        s.init();
        return s;
    }

    static SlotTable table(long term, long epoch) {
        return new SlotTable(term, epoch, List.of(
                new SlotAssignment(0, "10.0.0.1:9620", List.of("10.0.0.2:9620")),
                new SlotAssignment(1, "10.0.0.2:9620", List.of()),
                new SlotAssignment(2, null, List.of())));
    }

    @Test
    void schemaIsCreatedOnceEvenBySeveralMetasStartingTogether() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<CompletableFuture<JdbcMetaStore>> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                starts.add(CompletableFuture.supplyAsync(this::store, pool));
            }
            for (CompletableFuture<JdbcMetaStore> f : starts) {
                assertThat(f.get(20, TimeUnit.SECONDS)).isNotNull();
            }
        } finally {
            pool.shutdownNow();
        }
        JdbcMetaStore again = store();
        assertThat(again.loadSlotTable()).isEmpty();
        assertThat(again.loadSwitches()).isEqualTo(new OperationalSwitches(0, List.of(), false));
    }

    @Test
    void firstCandidateAcquiresAndRenewsInTermOne() {
        JdbcMetaStore s = store();

        LeaseRecord first = s.acquireOrRenew("a/1", "10.0.0.1:9610", SHORT_LEASE);
        LeaseRecord renewed = s.acquireOrRenew("a/1", "10.0.0.1:9610", SHORT_LEASE);

        assertThat(first.holderId()).isEqualTo("a/1");
        assertThat(first.holderAddress()).isEqualTo("10.0.0.1:9610");
        assertThat(first.term()).isEqualTo(1);
        assertThat(renewed.term()).isEqualTo(1);
        assertThat(renewed.expiresAtMillis()).isGreaterThanOrEqualTo(first.expiresAtMillis());
    }

    @Test
    void everyMetaTryingTheLeaseIsListedWithWhenItWasLastSeen() {
        JdbcMetaStore a = store();
        JdbcMetaStore b = store();
        a.acquireOrRenew("a/1", "10.0.0.1:9610", SHORT_LEASE);
        b.acquireOrRenew("b/1", "10.0.0.2:9610", SHORT_LEASE);
        assertThat(a.metaNodes()).extracting(MetaStore.MetaNodePresence::address)
                .contains("10.0.0.1:9610", "10.0.0.2:9610");
        assertThat(b.metaNodes()).allSatisfy(n -> assertThat(n.lastSeenMillisAgo()).isBetween(0L, 30_000L));
    }

    @Test
    void otherCandidateTakesOverWithTheNextTermOnlyAfterTheLeaseExpires() {
        JdbcMetaStore a = store();
        JdbcMetaStore b = store();
        LeaseRecord held = a.acquireOrRenew("a/1", "A", SHORT_LEASE);
        long start = System.nanoTime();

        assertThat(b.acquireOrRenew("b/1", "B", SHORT_LEASE).holderId()).isEqualTo("a/1");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> b.acquireOrRenew("b/1", "B", SHORT_LEASE).holderId().equals("b/1"));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;

        LeaseRecord now = b.acquireOrRenew("b/1", "B", SHORT_LEASE);
        assertThat(now.term()).isEqualTo(held.term() + 1);
        assertThat(waitedMillis).as("not before the lease ran out").isGreaterThanOrEqualTo(SHORT_LEASE.toMillis() - 50);
        assertThat(a.acquireOrRenew("a/1", "A", SHORT_LEASE).holderId()).isEqualTo("b/1");
    }

    @Test
    void releasedLeaseIsTakenAtOnce() {
        JdbcMetaStore a = store();
        JdbcMetaStore b = store();
        a.acquireOrRenew("a/1", "A", Duration.ofSeconds(30));

        a.release("a/1");

        assertThat(b.acquireOrRenew("b/1", "B", Duration.ofSeconds(30))).satisfies(r -> {
            assertThat(r.holderId()).isEqualTo("b/1");
            assertThat(r.term()).isEqualTo(2);
        });
        b.release("a/1"); // not the holder: nothing changes
        assertThat(a.acquireOrRenew("a/1", "A", Duration.ofSeconds(30)).holderId()).isEqualTo("b/1");
    }

    @Test
    void slotTableRoundTripsWithTermEpochAndEmptySlots() {
        JdbcMetaStore s = store();
        LeaseRecord lease = s.acquireOrRenew("a/1", "A", Duration.ofSeconds(30));
        SlotTable t = table(lease.term(), 17);

        s.saveSlotTable("a/1", lease.term(), t);
        SlotTable back = store().loadSlotTable().orElseThrow();

        assertThat(back.term()).isEqualTo(lease.term());
        assertThat(back.epoch()).isEqualTo(17);
        assertThat(back.sameAssignments(t)).isTrue();
        assertThat(back.slot(2).leader()).isNull();
    }

    @Test
    void deposedLeaderCannotSaveATable() {
        JdbcMetaStore a = store();
        JdbcMetaStore b = store();
        LeaseRecord old = a.acquireOrRenew("a/1", "A", Duration.ofSeconds(30));
        a.saveSlotTable("a/1", old.term(), table(old.term(), 5));
        a.release("a/1");
        LeaseRecord fresh = b.acquireOrRenew("b/1", "B", Duration.ofSeconds(30));

        assertThatThrownBy(() -> a.saveSlotTable("a/1", old.term(), table(old.term(), 99)))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("term " + fresh.term());
        assertThatThrownBy(() -> b.saveSlotTable("b/1", old.term(), table(old.term(), 99)))
                .as("the holder, but in an old term").isInstanceOf(LeaseLostException.class);
        assertThat(b.loadSlotTable().orElseThrow().epoch()).isEqualTo(5);

        b.saveSlotTable("b/1", fresh.term(), table(fresh.term(), 6));
        assertThat(a.loadSlotTable().orElseThrow().term()).isEqualTo(fresh.term());
    }

    @Test
    void expiredHolderCannotSaveEither() {
        JdbcMetaStore a = store();
        LeaseRecord lease = a.acquireOrRenew("a/1", "A", SHORT_LEASE);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThatThrownBy(() -> a.saveSlotTable("a/1", lease.term(), table(lease.term(), 1)))
                        .isInstanceOf(LeaseLostException.class).hasMessageContaining("expired"));
    }

    @Test
    void holderRaisesItsTerm() {
        JdbcMetaStore a = store();
        LeaseRecord lease = a.acquireOrRenew("a/1", "A", Duration.ofSeconds(30));

        long raised = a.raiseTerm("a/1", lease.term(), 41);

        assertThat(raised).isEqualTo(42);
        assertThat(a.acquireOrRenew("a/1", "A", Duration.ofSeconds(30)).term()).isEqualTo(42);
        assertThatThrownBy(() -> a.raiseTerm("a/1", lease.term(), 50)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> a.raiseTerm("b/1", 42, 50)).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void switchesChangeVersionOnlyWhenAValueChangesAndNoUpdateIsLost() throws Exception {
        JdbcMetaStore a = store();
        JdbcMetaStore b = store();

        OperationalSwitches off = a.updateSwitches(s -> s.withClientOff("10.0.0.7", true));
        OperationalSwitches same = b.updateSwitches(s -> s.withClientOff("10.0.0.7", true));
        OperationalSwitches stopped = b.updateSwitches(s -> s.withPushStopped(true));

        assertThat(off.version()).isEqualTo(1);
        assertThat(same).isEqualTo(off);
        assertThat(stopped.version()).isEqualTo(2);
        assertThat(a.loadSwitches()).isEqualTo(new OperationalSwitches(2, List.of("10.0.0.7"), true));

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<OperationalSwitches>> writes = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String ip = "10.1.0." + i;
                JdbcMetaStore via = i % 2 == 0 ? a : b;
                writes.add(CompletableFuture.supplyAsync(() -> via.updateSwitches(s -> s.withClientOff(ip, true)), pool));
            }
            for (CompletableFuture<OperationalSwitches> w : writes) {
                w.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        OperationalSwitches all = a.loadSwitches();
        assertThat(all.clientOffIps()).hasSize(13);
        assertThat(all.version()).isEqualTo(14);
    }

    @Test
    void aNewerSchemaIsRefusedWithAClearMessage() throws Exception {
        store();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE registry_meta_state SET version = 99 WHERE name = 'schema'");
        }

        assertThatThrownBy(this::store).isInstanceOf(MetaStoreException.class)
                .hasMessageContaining("schema version 99").hasMessageContaining("upgrade");
    }
}
