package dev.registry.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One seed: build the cluster, run the workload under faults for {@code faultSeconds} of
 * simulated time, heal everything, let it settle for {@code settleSeconds}, then check that it
 * converged. Single-threaded and free of wall-clock reads, so a seed is a history.
 */
final class Simulation {
    record Result(long seed, Map<String, Integer> faults, long operations, long pushes, long events,
                  List<String> violations, List<String> history, String traceHash) {

        int faultCount() {
            return faults.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** SHA-256 of the history: equal for two runs of a seed when the replay is exact. */
        String historyHash() {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (String line : history) {
                    sha.update(line.getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) '\n');
                }
                return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Minimum client operations acknowledged and pushes checked per simulated second of faults (floors). */
    static final int MIN_OPERATIONS_PER_SECOND = 5;
    static final int MIN_PUSHES_PER_SECOND = 5;

    private Simulation() {
    }

    static Result run(long seed, int faultSeconds, int settleSeconds, List<String> kinds) {
        SimWorld world = new SimWorld(seed);
        SimFaults faults = new SimFaults(world, kinds);
        long faultEnd = faultSeconds * 1_000_000L;
        world.checker.log("seed " + seed + ": " + world.upDataServers().size() + " data servers, "
                + world.sessions.size() + " sessions, " + SimWorld.SLOTS + " slots, " + SimWorld.IDS + " ids");
        world.loop.runUntil(2_000_000); // the cluster forms: tables pushed, sessions reconciled
        world.startWorkload(faultEnd + settleSeconds * 500_000L);
        faults.start(faultEnd);
        world.loop.runUntil(faultEnd);
        world.checker.log("faults stopped; healing and settling for " + settleSeconds + " s");
        faults.healAll();
        world.loop.runUntil(faultEnd + settleSeconds * 1_000_000L);
        int diverged = world.checkConverged();
        world.checker.log("end: " + world.checker.operations() + " operations acknowledged, " + world.checker.pushes()
                + " pushes checked, " + diverged + " convergence differences");
        if (world.checker.operations() < (long) MIN_OPERATIONS_PER_SECOND * faultSeconds) {
            world.checker.violation("floor: only " + world.checker.operations() + " operations acknowledged");
        }
        if (world.checker.pushes() < (long) MIN_PUSHES_PER_SECOND * faultSeconds) {
            world.checker.violation("floor: only " + world.checker.pushes() + " pushes checked");
        }
        return new Result(seed, world.checker.faults(), world.checker.operations(), world.checker.pushes(),
                world.loop.executed(), world.checker.violations(), world.checker.history(), world.checker.traceHash());
    }
}
