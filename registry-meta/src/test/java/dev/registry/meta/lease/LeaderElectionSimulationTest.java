package dev.registry.meta.lease;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded simulations of three candidates and one lease row, step by step in virtual time:
 * requests and answers are delayed at random, nodes pause (a GC pause, a frozen VM), lose the
 * database for a while, and run clocks up to 1% fast or slow. Whatever happens, a node acts
 * as leader only while the database would let it write in its term, so no two nodes ever act
 * as leader at once, and terms only go up.
 */
class LeaderElectionSimulationTest {
    private static final LeaseSettings SETTINGS = new LeaseSettings(Duration.ofMillis(1_000), Duration.ofMillis(200));
    private static final long STEP = 5;
    private static final long END = 60_000;

    /** A request on its way: evaluated by the database at {@code dbAt}, answered at {@code answerAt}. */
    private static final class Pending {
        final Node node;
        final long askedAtLocal;
        final long dbAt;
        final long answerAt;
        final boolean fails;
        LeaseRecord answer;

        Pending(Node node, long askedAtLocal, long dbAt, long answerAt, boolean fails) {
            this.node = node;
            this.askedAtLocal = askedAtLocal;
            this.dbAt = dbAt;
            this.answerAt = answerAt;
            this.fails = fails;
        }
    }

    private static final class Node {
        final String id;
        final double rate;
        final long offsetNanos;
        final LeaderLease lease;
        long nextAsk;
        long pausedUntil;
        long cutUntil;
        boolean asking;
        long lastTermLed;

        Node(String id, double rate, long offsetNanos) {
            this.id = id;
            this.rate = rate;
            this.offsetNanos = offsetNanos;
            this.lease = new LeaderLease(id, SETTINGS);
        }

        long local(long virtualMillis) {
            return offsetNanos + (long) (virtualMillis * 1_000_000L * rate);
        }
    }

    @Test
    void neverTwoLeadersAndTermsOnlyGrow() {
        for (long seed = 1; seed <= 40; seed++) {
            simulate(seed);
        }
    }

    private void simulate(long seed) {
        Random rnd = new Random(seed);
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(new Node("n" + i, 0.99 + rnd.nextDouble() * 0.02, rnd.nextLong()));
        }
        LeaseRecord row = LeaseRecord.NONE;
        List<Pending> pending = new ArrayList<>();
        long highestTermLed = 0;
        int leaderships = 0;
        long leaderSteps = 0;

        for (long t = 0; t <= END; t += STEP) {
            // faults: pauses and database cuts of up to 3 s, rarely
            for (Node n : nodes) {
                if (rnd.nextInt(4_000) == 0) {
                    n.pausedUntil = t + rnd.nextInt(3_000);
                }
                if (rnd.nextInt(4_000) == 0) {
                    n.cutUntil = t + rnd.nextInt(3_000);
                }
            }
            // the database evaluates requests that reached it
            for (Pending p : pending) {
                if (p.answer == null && !p.fails && p.dbAt <= t) {
                    row = LeaseRules.acquireOrRenew(row, p.node.id, p.node.id, t, SETTINGS.leaseDuration().toMillis());
                    p.answer = row;
                }
            }
            // answers arrive at nodes that are not paused
            for (var it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                Node n = p.node;
                if (p.answerAt <= t && t >= n.pausedUntil && (p.fails || p.answer != null)) {
                    if (p.fails) {
                        n.lease.onFailure(n.local(t));
                    } else {
                        n.lease.onAnswer(p.answer, p.askedAtLocal, n.local(t));
                    }
                    n.asking = false;
                    it.remove();
                }
            }
            // nodes that run: check deadlines, ask when due
            for (Node n : nodes) {
                if (t < n.pausedUntil) {
                    continue;
                }
                n.lease.check(n.local(t));
                if (!n.asking && t >= n.nextAsk) {
                    boolean fails = t < n.cutUntil;
                    long dbAt = t + rnd.nextInt(300);
                    long answerAt = dbAt + rnd.nextInt(300);
                    pending.add(new Pending(n, n.local(t), dbAt, answerAt, fails));
                    n.asking = true;
                    n.nextAsk = t + SETTINGS.renewInterval().toMillis();
                }
            }
            // invariants: a node that believes it leads may write in its term right now
            int leading = 0;
            for (Node n : nodes) {
                if (n.lease.isLeader(n.local(t))) {
                    leading++;
                    assertThat(LeaseRules.mayWrite(row, n.id, n.lease.term(), t))
                            .as("seed %d t=%d: %s acts as leader of term %d, row %s", seed, t, n.id, n.lease.term(), row)
                            .isTrue();
                    if (n.lease.term() != n.lastTermLed) {
                        assertThat(n.lease.term()).as("seed %d: terms only grow", seed).isGreaterThanOrEqualTo(highestTermLed);
                        highestTermLed = n.lease.term();
                        n.lastTermLed = n.lease.term();
                        leaderships++;
                    }
                }
            }
            assertThat(leading).as("seed %d t=%d: leaders at once", seed, t).isLessThanOrEqualTo(1);
            if (leading == 1) {
                leaderSteps++;
            }
        }
        assertThat(leaderships).as("seed %d: someone led", seed).isPositive();
        assertThat(leaderSteps * STEP).as("seed %d: a leader most of the time", seed).isGreaterThan(END / 2);
    }
}
