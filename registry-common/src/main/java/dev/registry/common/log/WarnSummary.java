package dev.registry.common.log;

import org.slf4j.Logger;

import java.util.function.LongSupplier;

/**
 * One WARN line per window for a kind of failure that strikes many ids or slots at once (a data
 * server failing over makes every fetch of its slots time out: thousands of lines, one per id,
 * for one event). The first failure of a window is logged at once, the next ones only counted
 * (each at DEBUG), and the first failure after the window closes logs the count it gathered,
 * then opens a new window. {@link #flush} logs a pending count without waiting for a next
 * failure (callers with a timer call it).
 *
 * <p>Thread-safe.
 */
public final class WarnSummary {
    private final Logger log;
    private final String what;
    private final long windowMillis;
    private final LongSupplier clockMillis;
    /** Routine events summarised the same way (a leader change's per-slot snapshots) log at INFO. */
    private final boolean atInfo;
    private long windowEnd = Long.MIN_VALUE;
    private long suppressed;
    private String lastSubject;
    private String lastReason;

    /**
     * @param what what failed, as the line starts (e.g. "cannot fetch for its subscribers")
     */
    public WarnSummary(Logger log, String what, long windowMillis, LongSupplier clockMillis) {
        this(log, what, windowMillis, clockMillis, false);
    }

    /** The same summary for routine events that strike many slots at once: its lines are INFO. */
    public static WarnSummary atInfo(Logger log, String what, long windowMillis, LongSupplier clockMillis) {
        return new WarnSummary(log, what, windowMillis, clockMillis, true);
    }

    private WarnSummary(Logger log, String what, long windowMillis, LongSupplier clockMillis, boolean atInfo) {
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("windowMillis must be positive, was " + windowMillis);
        }
        this.log = log;
        this.what = what;
        this.windowMillis = windowMillis;
        this.clockMillis = clockMillis;
        this.atInfo = atInfo;
    }

    /** One failure of {@code subject} (an id, a slot) for {@code reason}. */
    public void warn(Object subject, String reason) {
        long now = clockMillis.getAsLong();
        Gathered previous;
        synchronized (this) {
            if (now < windowEnd) {
                suppressed++;
                lastSubject = String.valueOf(subject);
                lastReason = reason;
                previous = null;
            } else {
                previous = takeGathered();
                windowEnd = now + windowMillis;
            }
        }
        if (previous == null) {
            log.debug("{} {}: {}", what, subject, reason);
            return;
        }
        log(previous);
        if (atInfo) {
            log.info("{} {}: {} (more within {} ms are counted into one line)", what, subject, reason, windowMillis);
        } else {
            log.warn("{} {}: {} (more within {} ms are counted into one line)", what, subject, reason, windowMillis);
        }
    }

    /** Logs the failures counted since the last line, if any (and if the window has closed). */
    public void flush() {
        Gathered gathered;
        synchronized (this) {
            if (suppressed == 0 || clockMillis.getAsLong() < windowEnd) {
                return;
            }
            gathered = takeGathered();
        }
        log(gathered);
    }

    /** What the closing window counted (possibly nothing); resets the count. Guarded by this. */
    private Gathered takeGathered() {
        Gathered g = new Gathered(suppressed, lastSubject, lastReason);
        suppressed = 0;
        lastSubject = null;
        lastReason = null;
        return g;
    }

    private record Gathered(long count, String lastSubject, String lastReason) {
    }

    /** Failures counted but not yet logged (for tests and metrics). */
    public synchronized long pending() {
        return suppressed;
    }

    private void log(Gathered g) {
        if (g.count() > 0 && atInfo) {
            log.info("{}: {} more within {} ms, the last {}: {}", what, g.count(), windowMillis, g.lastSubject(),
                    g.lastReason());
        } else if (g.count() > 0) {
            log.warn("{}: {} more within {} ms, the last {}: {}", what, g.count(), windowMillis, g.lastSubject(),
                    g.lastReason());
        }
    }
}
