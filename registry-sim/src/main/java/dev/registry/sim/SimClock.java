package dev.registry.sim;

/**
 * A node's clock: simulated time seen through a skew (a jump) and a drift (a rate), both faults
 * the simulation injects. Readings never depend on the host's clock.
 */
final class SimClock {
    private final SimLoop loop;
    /** The node's reading at {@link #anchorMicros} and the rate it advances at since. */
    private double anchorReadingMillis;
    private long anchorMicros;
    private double rate = 1.0;
    /** The monotonic clock: drifts with the same oscillator, never steps. */
    private double monotonicAnchorMillis;
    private long monotonicAnchorMicros;

    SimClock(SimLoop loop, long offsetMillis) {
        this.loop = loop;
        this.anchorMicros = loop.nowMicros();
        this.anchorReadingMillis = loop.nowMillis() + offsetMillis + 1_700_000_000_000L;
        this.monotonicAnchorMicros = loop.nowMicros();
        this.monotonicAnchorMillis = 1_000_000 + offsetMillis;
    }

    /** Milliseconds on the node's monotonic clock (System.nanoTime's): steps leave it alone. */
    long monotonicMillis() {
        return (long) (monotonicAnchorMillis + (loop.nowMicros() - monotonicAnchorMicros) / 1000.0 * rate);
    }

    long millis() {
        return (long) (anchorReadingMillis + (loop.nowMicros() - anchorMicros) / 1000.0 * rate);
    }

    /** The clock jumps by {@code millis} (negative: backwards, as after an NTP step). */
    void jump(long millis) {
        reanchor();
        anchorReadingMillis += millis;
    }

    /** From now on the clock runs at {@code rate} (1.0: true time). */
    void drift(double newRate) {
        reanchor();
        rate = newRate;
    }

    private void reanchor() {
        monotonicAnchorMillis = monotonicAnchorMillis + (loop.nowMicros() - monotonicAnchorMicros) / 1000.0 * rate;
        monotonicAnchorMicros = loop.nowMicros();
        anchorReadingMillis = anchorReadingMillis + (loop.nowMicros() - anchorMicros) / 1000.0 * rate;
        anchorMicros = loop.nowMicros();
    }
}
