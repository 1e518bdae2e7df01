package dev.registry.sim;

import java.util.PriorityQueue;
import java.util.Random;

/**
 * The simulation's only thread of control: a queue of events ordered by simulated time, ties
 * broken by the order they were scheduled, so one seed gives one history. Nothing in a
 * simulation sleeps or reads the wall clock; every delay is an event here.
 */
final class SimLoop {
    private record Event(long atMicros, long order, Runnable action) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.atMicros != b.atMicros
            ? Long.compare(a.atMicros, b.atMicros) : Long.compare(a.order, b.order));
    private final Random random;
    private long nowMicros;
    private long order;
    private long executed;

    SimLoop(long seed) {
        this.random = new Random(seed);
    }

    /** Simulated time since the start, in microseconds. */
    long nowMicros() {
        return nowMicros;
    }

    long nowMillis() {
        return nowMicros / 1000;
    }

    /** The simulation's one source of randomness (faults, latencies, workload). */
    Random random() {
        return random;
    }

    /** Runs {@code action} {@code delayMicros} from now (0: after everything already due now). */
    void after(long delayMicros, Runnable action) {
        queue.add(new Event(nowMicros + Math.max(0, delayMicros), order++, action));
    }

    void afterMillis(long delayMillis, Runnable action) {
        after(delayMillis * 1000, action);
    }

    /** Runs every event due up to {@code untilMicros}, then sets the time to it. */
    void runUntil(long untilMicros) {
        while (!queue.isEmpty() && queue.peek().atMicros <= untilMicros) {
            Event e = queue.poll();
            nowMicros = e.atMicros;
            executed++;
            e.action.run();
        }
        nowMicros = Math.max(nowMicros, untilMicros);
    }

    /** Events run so far (a measure of the work one seed did). */
    long executed() {
        return executed;
    }
}
