package dev.registry.client;

import dev.registry.common.protocol.ClientHello;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.LongSupplier;

/**
 * When this client lost its session links lately, so that a session it connects to knows whether
 * the client's link flaps, even if the losses happened at other sessions. Thread-safe.
 */
final class LinkLosses {
    /** Losses older than this no longer matter to any session's damping. */
    static final long KEEP_NANOS = Duration.ofMinutes(30).toNanos();

    private final LongSupplier nanoClock;
    private final ArrayDeque<Long> losses = new ArrayDeque<>(); // oldest first

    LinkLosses(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    synchronized void record() {
        losses.addLast(nanoClock.getAsLong());
        while (losses.size() > ClientHello.MAX_LOSSES) {
            losses.removeFirst();
        }
    }

    /** Ages of the kept losses in milliseconds, newest first. */
    synchronized long[] agesMillis() {
        long now = nanoClock.getAsLong();
        losses.removeIf(at -> now - at > KEEP_NANOS);
        long[] out = new long[losses.size()];
        int i = 0;
        for (Iterator<Long> it = losses.descendingIterator(); it.hasNext(); ) {
            out[i++] = (now - it.next()) / 1_000_000;
        }
        return out;
    }
}
