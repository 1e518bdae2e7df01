package dev.registry.data.store;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DatumStoreTest {
    private static final DataInfoId ID = DataInfoId.of("svc");
    private final AtomicLong clock = new AtomicLong(1_000);
    private final DatumStore store = new DatumStore(clock::get, 256);
    private final int slot = store.slotOf(ID);

    private static Publisher pub(String rid, long version, String value, String session, String conn) {
        return new Publisher(ID, rid, version, List.of(value), "app", "10.0.0.1", "z", 1, session, conn);
    }

    @Test
    void putsChangeTheVersionAndIdenticalOrOlderOnesDoNot() {
        DatumStore.Change first = store.put(slot, pub("r1", 1, "a", "s1", "c1"));
        assertThat(first.changed()).isTrue();
        assertThat(first.version()).isEqualTo(1_000_000);
        assertThat(store.put(slot, pub("r1", 1, "a", "s1", "c1")).changed()).as("idempotent").isFalse();
        assertThat(store.put(slot, pub("r1", 0, "old", "s1", "c1")).changed()).as("older client version").isFalse();
        DatumStore.Change update = store.put(slot, pub("r1", 2, "b", "s1", "c1"));
        assertThat(update.changed()).isTrue();
        assertThat(update.version()).isGreaterThan(first.version());
        assertThat(store.get(slot, ID).values()).containsExactly("b");
    }

    @Test
    void aLateWriteOfAnOlderVersionDoesNotRecreateAWithdrawnRegistrationButTheSameVersionDoes() {
        store.put(slot, pub("r1", 1, "a", "s0", "c-old"));
        store.put(slot, pub("r1", 2, "a", "s1", "c-new")); // re-registered through a new connection
        assertThat(store.remove(slot, ID, "r1", "c-new").changed()).as("unregistered").isTrue();

        assertThat(store.put(slot, pub("r1", 1, "a", "s0", "c-old")).changed()).as("the old session's late write")
                .isFalse();
        assertThat(store.get(slot, ID).publishers()).isEmpty();

        // A client that re-registers the same version after its publishers were withdrawn is live.
        store.put(slot, pub("r2", 4, "b", "s1", "c1"));
        store.remove(slot, ID, "r2", "c1");
        assertThat(store.put(slot, pub("r2", 4, "b", "s1", "c2")).changed()).isTrue();

        clock.addAndGet(WithdrawnRegistrations.DEFAULT_TTL_MILLIS);
        assertThat(store.put(slot, pub("r1", 1, "a", "s0", "c-old")).changed()).as("remembered for a while only")
                .isTrue();
    }

    @Test
    void aPromotedFollowerRefusesTheSameLateWrites() {
        store.put(slot, pub("r1", 2, "a", "s1", "c-new"));
        DatumStore.Change removed = store.remove(slot, ID, "r1", "c-new");
        DatumStore follower = new DatumStore(clock::get, 256);
        follower.applyPut(slot, pub("r1", 2, "a", "s1", "c-new"), removed.version() - 1, 1);
        follower.applyRemove(slot, ID, "r1", removed.version(), removed.changedAtMillis());
        assertThat(follower.put(slot, pub("r1", 1, "a", "s0", "c-old")).changed()).isFalse();
    }

    @Test
    void versionsStayMonotonicWhenTheClockStandsStillOrGoesBack() {
        long last = 0;
        for (int i = 0; i < 100; i++) {
            if (i == 50) {
                clock.set(500); // wall clock stepped back
            }
            long v = store.put(slot, pub("r" + i, 1, "v", "s1", "c1")).version();
            assertThat(v).isGreaterThan(last);
            last = v;
        }
    }

    @Test
    void removalHonoursTheConnectionStamp() {
        store.put(slot, pub("r1", 1, "a", "s1", "new-conn"));
        assertThat(store.remove(slot, ID, "r1", "old-conn").changed()).as("a newer registration stays").isFalse();
        assertThat(store.remove(slot, ID, "r1", "new-conn").changed()).isTrue();
        assertThat(store.get(slot, ID).publishers()).isEmpty();
        assertThat(store.get(slot, ID).version()).as("tombstone keeps the version").isPositive();
    }

    @Test
    void removeSessionTakesOnlyThatSessionsPublishersInTheGivenSlots() {
        store.put(slot, pub("r1", 1, "a", "s1", "c1"));
        store.put(slot, pub("r2", 1, "b", "s2", "c2"));
        assertThat(store.removeSession("s1", Set.of(slot + 1))).isEmpty();
        List<DatumStore.Change> changes = store.removeSession("s1", Set.of(slot));
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).registerId()).isEqualTo("r1");
        assertThat(store.get(slot, ID).values()).containsExactly("b");
        assertThat(store.sessionIds(Set.of(slot))).containsExactly("s2");
    }

    @Test
    void sessionIdsFollowEveryWayPublishersComeAndGo() {
        store.put(slot, pub("r1", 1, "a", "s1", "c1"));
        store.put(slot, pub("r2", 1, "b", "s1", "c1"));
        store.put(slot, pub("r3", 1, "c", "s2", "c2"));
        assertThat(store.sessionIds(Set.of(slot))).containsExactlyInAnyOrder("s1", "s2");
        store.put(slot, pub("r3", 2, "c", "s1", "c9")); // moved to s1 by a re-registration
        assertThat(store.sessionIds(Set.of(slot))).containsExactly("s1");
        store.remove(slot, ID, "r1", null);
        store.remove(slot, ID, "r2", null);
        assertThat(store.sessionIds(Set.of(slot))).containsExactly("s1");
        store.removeSession("s1", Set.of(slot));
        assertThat(store.sessionIds(Set.of(slot))).isEmpty();
        store.replace(slot, new Datum(ID, 99, List.of(pub("r7", 1, "x", "s7", "c7")), 1));
        assertThat(store.sessionIds(Set.of(slot))).containsExactly("s7");
        store.replace(slot, new Datum(ID, 100, List.of(pub("r8", 1, "y", "s8", "c8")), 1));
        assertThat(store.sessionIds(Set.of(slot))).containsExactly("s8");
        store.applyRemove(slot, ID, "r8", 101, 1);
        assertThat(store.sessionIds(Set.of(slot))).isEmpty();
        store.applyPut(slot, pub("r9", 1, "z", "s9", "c9"), 102, 1);
        store.dropSlot(slot);
        assertThat(store.sessionIds(Set.of(slot))).isEmpty();
    }

    @Test
    void followerAppliesNeverGoBackwards() {
        assertThat(store.applyPut(slot, pub("r1", 1, "a", "s1", "c1"), 10, 5)).isTrue();
        assertThat(store.applyPut(slot, pub("r1", 2, "b", "s1", "c1"), 9, 5)).as("older version").isFalse();
        assertThat(store.applyRemove(slot, ID, "r1", 10, 5)).as("same version").isFalse();
        assertThat(store.applyRemove(slot, ID, "r1", 11, 6)).isTrue();
        Datum d = store.get(slot, ID);
        assertThat(d.version()).isEqualTo(11);
        assertThat(d.changedAtMillis()).isEqualTo(6);
        assertThat(d.publishers()).isEmpty();
    }

    /** A follower replaying a leader's change stream in order, with duplicates, ends equal to the leader. */
    @Test
    void replayingTheLeadersChangesWithDuplicatesConvergesToTheLeader() {
        DatumStore follower = new DatumStore(clock::get, 256);
        Random random = new Random(3);
        List<DatumStore.Change> log = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            clock.addAndGet(random.nextInt(3));
            String rid = "r" + random.nextInt(20);
            DatumStore.Change c = random.nextInt(3) == 0
                    ? store.remove(slot, ID, rid, null)
                    : store.put(slot, pub(rid, i, "v" + i, "s1", "c1"));
            if (c.changed()) {
                log.add(c);
            }
        }
        for (int i = 0; i < log.size(); i++) {
            int replays = 1 + random.nextInt(2);
            for (int k = 0; k < replays; k++) {
                DatumStore.Change c = log.get(Math.max(0, i - k));
                if (c.kind() == DatumStore.Kind.PUT) {
                    follower.applyPut(slot, c.publisher(), c.version(), c.changedAtMillis());
                } else {
                    follower.applyRemove(slot, ID, c.registerId(), c.version(), c.changedAtMillis());
                }
            }
        }
        assertThat(follower.get(slot, ID).version()).isEqualTo(store.get(slot, ID).version());
        assertThat(follower.get(slot, ID).publishers()).containsExactlyInAnyOrderElementsOf(store.get(slot, ID).publishers());
    }

    @Test
    void snapshotReplaceAndRetainMirrorTheLeader() {
        DataInfoId other = DataInfoId.of("gone");
        store.put(store.slotOf(other), new Publisher(other, "x", 1, List.of("x"), null, null, null, 1, "s", "c"));
        store.put(slot, pub("r1", 1, "mine", "s1", "c1"));
        Datum leaders = new Datum(ID, 99, List.of(pub("r9", 1, "leader", "s1", "c1")), 3);
        store.replace(slot, leaders);
        assertThat(store.get(slot, ID).values()).containsExactly("leader");
        assertThat(store.get(slot, ID).version()).isEqualTo(99);
        if (store.slotOf(other) == slot) {
            store.retainOnly(slot, Set.of(ID));
            assertThat(store.get(slot, other).version()).isZero();
        }
        store.dropSlot(slot);
        assertThat(store.get(slot, ID).version()).isZero();
    }

    /** What a session's summary of the slot must be: count and XOR of its publishers' fingerprints. */
    private static long xor(Publisher... ps) {
        long x = 0;
        for (Publisher p : ps) {
            x ^= p.syncFingerprint();
        }
        return x;
    }

    @Test
    void aSessionsSummaryMatchesExactlyWhatTheSlotHoldsFromIt() {
        Publisher a = pub("r1", 1, "a", "s1", "c1");
        Publisher b = pub("r2", 1, "b", "s1", "c1");
        Publisher other = pub("r3", 1, "c", "s2", "c9");
        assertThat(store.sessionSummaryMatches(slot, "s1", 0, 0)).as("nothing held, nothing claimed").isTrue();
        store.put(slot, a);
        store.put(slot, b);
        store.put(slot, other);
        assertThat(store.sessionSummaryMatches(slot, "s1", 2, xor(a, b))).isTrue();
        assertThat(store.sessionSummaryMatches(slot, "s2", 1, xor(other))).isTrue();
        assertThat(store.sessionSummaryMatches(slot, "s1", 1, xor(a))).as("one missing").isFalse();

        Publisher a2 = pub("r1", 2, "a2", "s1", "c1");
        store.put(slot, a2);
        assertThat(store.sessionSummaryMatches(slot, "s1", 2, xor(a, b))).as("a stale version").isFalse();
        assertThat(store.sessionSummaryMatches(slot, "s1", 2, xor(a2, b))).isTrue();

        Publisher moved = pub("r2", 2, "b", "s1", "c2"); // re-registered through another connection
        store.put(slot, moved);
        assertThat(store.sessionSummaryMatches(slot, "s1", 2, xor(a2, moved))).isTrue();
        store.remove(slot, ID, "r1", null);
        assertThat(store.sessionSummaryMatches(slot, "s1", 1, xor(moved))).isTrue();
        store.removeSession("s1", java.util.Set.of(slot));
        assertThat(store.sessionSummaryMatches(slot, "s1", 0, 0)).isTrue();
        assertThat(store.sessionSummaryMatches(slot, "s2", 1, xor(other))).isTrue();

        // A follower's copy, written by the leader's log, keeps the same summaries.
        DatumStore follower = new DatumStore(clock::get, 256);
        follower.applyPut(slot, other, 10, 1);
        follower.applyPut(slot, a2, 11, 1);
        assertThat(follower.sessionSummaryMatches(slot, "s1", 1, xor(a2))).isTrue();
        follower.applyRemove(slot, ID, "r1", 12, 1);
        assertThat(follower.sessionSummaryMatches(slot, "s1", 0, 0)).isTrue();
    }

    @Test
    void versionsGoAboveWhatSessionsAlreadyPushedAndOnlyWhereLower() {
        store.put(slot, pub("r1", 1, "10.0.0.1:1", "s1", "c1"));
        long mine = store.get(slot, ID).version();
        DataInfoId never = DataInfoId.of("svc.never-here");
        int neverSlot = store.slotOf(never);

        // A former leader's clock ran ahead: sessions pushed versions this copy has not reached.
        List<DatumStore.Change> raised = store.raiseVersions(slot, List.of(ID), List.of(mine + 5_000_000));
        assertThat(raised).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(DatumStore.Kind.TOUCH);
            assertThat(c.version()).isEqualTo(mine + 5_000_001);
            assertThat(c.publishers()).isEqualTo(1);
        });
        assertThat(store.get(slot, ID).values()).as("content untouched").containsExactly("10.0.0.1:1");
        store.put(slot, pub("r2", 1, "10.0.0.2:2", "s1", "c1"));
        assertThat(store.get(slot, ID).version()).as("later writes continue above").isGreaterThan(mine + 5_000_001);

        assertThat(store.raiseVersions(slot, List.of(ID), List.of(mine))).as("already above: nothing").isEmpty();
        assertThat(store.raiseVersions(neverSlot, List.of(never), List.of(77L))).singleElement()
                .satisfies(c -> assertThat(c.version()).isEqualTo(78));
        assertThat(store.get(neverSlot, never).publishers()).isEmpty();

        DatumStore follower = new DatumStore(clock::get, 256);
        assertThat(follower.applyTouch(slot, ID, 500, 1)).isTrue();
        assertThat(follower.applyTouch(slot, ID, 400, 1)).as("never backwards").isFalse();
        assertThat(follower.get(slot, ID).version()).isEqualTo(500);
    }
}
