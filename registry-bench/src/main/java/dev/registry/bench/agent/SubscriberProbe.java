package dev.registry.bench.agent;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * What one subscriber saw, judged from the values themselves: stable publishers
 * ({@code pub:...}), the ticker of its service ({@code tick:<seq>:<nanoTime>:...}) and marked
 * publishers ({@code dead:...}).
 *
 * <ul>
 *   <li>Latency: a ticker value newer than the last one seen delivers every change since the last
 *       one seen; each change's latency is now minus the nanoTime the changer took just before
 *       the change call (one monotonic clock for every process on this machine). The value
 *       carries the times of the ticker's last {@value Tickers#TICK_HISTORY} changes, so changes
 *       merged into one notification are timed too; older merged ones count as unmeasured.
 *   <li>Shrunken push: once the subscriber saw every stable publisher of its service, any later
 *       notification with fewer of them.
 *   <li>Gone: first notification after {@code goneSince} without a value starting with the marker.
 *   <li>Recovered: first notification with a ticker changed at or after {@code tickSince} and every
 *       stable publisher.
 * </ul>
 *
 * <p>Threading: every method synchronized (callbacks come from client threads).
 */
final class SubscriberProbe {
    private final int expectedStable;
    private final boolean expectTicker;
    private final Histogram latencies;
    private boolean full;
    private long lastSeq = -1;
    private long recordSince = Long.MAX_VALUE;
    private long coalesced;
    private long unmeasured;
    private long delivered;
    private long shrunken;
    private long notifications;
    private String goneMarker;
    private long goneSince;
    private long goneAt = -1;
    private boolean markerSeen;
    private long tickSince = Long.MAX_VALUE;
    private long recoveredAt = -1;

    SubscriberProbe(int expectedStable, boolean expectTicker, Histogram latencies) {
        this.expectedStable = expectedStable;
        this.expectTicker = expectTicker;
        this.latencies = latencies;
    }

    synchronized void onList(List<String> values) {
        long now = System.nanoTime();
        notifications++;
        int stable = 0;
        long seq = -1;
        long tickNanos = 0;
        String tickTimes = null;
        boolean marker = false;
        for (String v : values) {
            if (v == null) {
                continue;
            }
            if (v.startsWith("pub:")) {
                stable++;
            } else if (v.startsWith("tick:")) {
                int a = v.indexOf(':', 5);
                int b = v.indexOf(':', a + 1);
                long s = Long.parseLong(v.substring(5, a));
                if (s > seq) {
                    seq = s;
                    tickTimes = v.substring(a + 1, b);
                    int comma = tickTimes.indexOf(',');
                    tickNanos = Long.parseLong(comma < 0 ? tickTimes : tickTimes.substring(0, comma));
                }
            } else if (goneMarker != null && v.startsWith(goneMarker)) {
                marker = true;
            }
        }
        if (full && stable < expectedStable) {
            shrunken++;
        }
        if (!full && stable >= expectedStable && (!expectTicker || seq >= 0)) {
            full = true;
        }
        if (seq > lastSeq) {
            if (lastSeq >= 0 && tickNanos >= recordSince) {
                // Every change since the last notification is delivered now, the merged ones too:
                // the ticker value carries the times of its last few changes, newest first.
                String[] times = tickTimes.split(",");
                long changes = seq - lastSeq;
                synchronized (latencies) {
                    for (int k = 0; k < Math.min(changes, times.length); k++) {
                        long t = Long.parseLong(times[k]);
                        if (t >= recordSince) {
                            latencies.recordValue(Math.max(0, (now - t) / 1000));
                        }
                    }
                }
                delivered++;
                coalesced += changes - 1;
                unmeasured += Math.max(0, changes - times.length);
            }
            lastSeq = seq;
        }
        if (goneMarker != null) {
            if (marker) {
                markerSeen = true;
            } else if (markerSeen && goneAt < 0 && now >= goneSince) {
                goneAt = now;
            }
        }
        if (recoveredAt < 0 && seq >= 0 && tickNanos >= tickSince && stable >= expectedStable) {
            recoveredAt = now;
        }
    }

    synchronized boolean isFull() {
        return full && (goneMarker == null || markerSeen);
    }

    synchronized void resetStats(long since) {
        recordSince = since;
        coalesced = 0;
        unmeasured = 0;
        delivered = 0;
        shrunken = 0;
        notifications = 0;
    }

    synchronized void watchGone(String marker, long since) {
        goneMarker = marker;
        goneSince = since;
        goneAt = -1;
    }

    synchronized void watchRecovery(long since) {
        tickSince = since;
        recoveredAt = -1;
    }

    synchronized long goneAt() {
        return goneAt;
    }

    synchronized long recoveredAt() {
        return recoveredAt;
    }

    synchronized long coalesced() {
        return coalesced;
    }

    synchronized long unmeasured() {
        return unmeasured;
    }

    synchronized long delivered() {
        return delivered;
    }

    synchronized long shrunken() {
        return shrunken;
    }

    synchronized long notifications() {
        return notifications;
    }
}
