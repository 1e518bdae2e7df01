package dev.registry.bench.agent;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's subscribers, each judged by a {@link SubscriberProbe}, in named groups so that one
 * agent can hold several scenarios' subscribers apart; and the commands that wait on them
 * ({@code awaitFull}, {@code awaitGone}, {@code awaitRecovery}), arm them ({@code watchGone},
 * {@code watchRecovery}) and read or reset their figures ({@code stats}, {@code resetStats}).
 *
 * <p>Threading: commands on the agent's command threads; the probes' callbacks on client threads.
 */
final class SubscriberProbes {
    private final AgentContext agent;
    /** Every subscriber's change latencies, for {@code stats}. */
    private final Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(300), 3);
    private final Map<String, List<SubscriberProbe>> probes = new LinkedHashMap<>();

    SubscriberProbes(AgentContext agent) {
        this.agent = agent;
    }

    /**
     * {@code count} subscribers on {@code prefix-(first + i % ids)} ({@code first} 0 unless given);
     * each expects {@code total} stable publishers spread as {@code publish} spreads them, and a
     * ticker if {@code ticker=true}, or if its id is one {@code ticker every=tickerEvery} put a
     * ticker on ({@code tickerCount} of them) — those go into group {@code tickerGroup}.
     */
    String subscribe(Map<String, String> a) throws Exception {
        int count = Integer.parseInt(a.get("count"));
        int ids = Integer.parseInt(a.get("ids"));
        int first = Integer.parseInt(a.getOrDefault("first", "0"));
        String prefix = a.get("prefix");
        long total = Long.parseLong(a.getOrDefault("total", "0"));
        boolean expectTicker = Boolean.parseBoolean(a.getOrDefault("ticker", "false"));
        int tickerEvery = Integer.parseInt(a.getOrDefault("tickerEvery", "0"));
        int tickerCount = Integer.parseInt(a.getOrDefault("tickerCount", "0"));
        String marker = a.get("marker");
        int spread = Integer.parseInt(a.getOrDefault("spread", String.valueOf(ids)));
        String group = a.getOrDefault("group", "main");
        String tickerGroup = a.getOrDefault("tickerGroup", group);
        int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
        long timeoutMs = Long.parseLong(a.getOrDefault("timeoutMs", "600000"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        AtomicLong done = new AtomicLong();
        agent.progress.set(0);
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    int id = first + i % ids;
                    int expected = (int) (total / spread + (id < total % spread ? 1 : 0));
                    boolean ticked = expectTicker
                            || (tickerEvery > 0 && id % tickerEvery == 0 && id / tickerEvery < tickerCount);
                    SubscriberProbe p = new SubscriberProbe(expected, ticked, latencies);
                    if (marker != null) {
                        p.watchGone(marker, Long.MAX_VALUE);
                    }
                    synchronized (probes) {
                        probes.computeIfAbsent(ticked ? tickerGroup : group, g -> new ArrayList<>()).add(p);
                    }
                    try {
                        // spread the subscribers of one id over different connections
                        agent.driver.subscribe(ids == 1 ? i % agent.clients : (i + i / ids) % agent.clients,
                                prefix + "-" + id, p::onList);
                        agent.progress.incrementAndGet();
                        done.incrementAndGet();
                    } catch (Exception e) {
                        if (failed.incrementAndGet() <= 3) {
                            e.printStackTrace();
                        }
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
            pool.shutdownNow(); // out of time: no more subscriptions; the answer says how many were done
            next.set(count);
        }
        return "elapsedNanos=" + (System.nanoTime() - t0) + " failed=" + failed.get() + " done=" + done.get();
    }

    private List<SubscriberProbe> probes() {
        synchronized (probes) {
            List<SubscriberProbe> all = new ArrayList<>();
            probes.values().forEach(all::addAll);
            return all;
        }
    }

    /** The probes of {@code group=} (several: comma-separated; every probe when absent). */
    private List<SubscriberProbe> probes(Map<String, String> a) {
        if (!a.containsKey("group")) {
            return probes();
        }
        synchronized (probes) {
            List<SubscriberProbe> out = new ArrayList<>();
            for (String g : a.get("group").split(",")) {
                out.addAll(probes.getOrDefault(g, List.of()));
            }
            return out;
        }
    }

    /**
     * Sleeps between two polls of every probe: {@code minMillis}, or ten times what the last poll
     * took, so that polling a million probes does not eat the agent's CPU.
     */
    private static void pauseAfterScan(long scanStartNanos, long minMillis) throws InterruptedException {
        Thread.sleep(Math.max(minMillis, (System.nanoTime() - scanStartNanos) * 10 / 1_000_000));
    }

    String awaitFull(Map<String, String> a) throws InterruptedException {
        long timeoutMs = Long.parseLong(a.getOrDefault("timeoutMs", "60000"));
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int full;
        List<SubscriberProbe> all = probes(a);
        do {
            long scan = System.nanoTime();
            full = (int) all.stream().filter(SubscriberProbe::isFull).count();
            agent.progress.set(full);
            if (full < all.size()) {
                pauseAfterScan(scan, 10);
            }
        } while (full < all.size() && System.nanoTime() < deadline);
        return "full=" + full + " of=" + all.size() + " ms=" + (System.nanoTime() - t0) / 1_000_000;
    }

    String resetStats(Map<String, String> a) {
        long now = System.nanoTime();
        synchronized (latencies) {
            latencies.reset();
        }
        probes(a).forEach(p -> p.resetStats(now));
        return "since=" + now;
    }

    String stats(Map<String, String> a) {
        Histogram copy;
        synchronized (latencies) {
            copy = latencies.copy();
        }
        long coalesced = 0;
        long unmeasured = 0;
        long delivered = 0;
        long shrunken = 0;
        long notifications = 0;
        for (SubscriberProbe p : probes(a)) {
            coalesced += p.coalesced();
            unmeasured += p.unmeasured();
            delivered += p.delivered();
            shrunken += p.shrunken();
            notifications += p.notifications();
        }
        ByteBuffer buf = ByteBuffer.allocate(copy.getNeededByteBufferCapacity());
        int len = copy.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[len];
        buf.flip();
        buf.get(bytes);
        return "delivered=" + delivered + " coalesced=" + coalesced + " unmeasured=" + unmeasured + " shrunken=" + shrunken + " notifications="
                + notifications + " hist=" + Base64.getEncoder().encodeToString(bytes);
    }

    String watchGone(Map<String, String> a) {
        long since = Long.parseLong(a.get("since"));
        List<SubscriberProbe> group = probes(a);
        group.forEach(p -> p.watchGone(a.get("marker"), since));
        return "watching=" + group.size();
    }

    /** Waits until no subscriber lists the marked publisher; answers per-subscriber delays. */
    String awaitGone(Map<String, String> a) throws InterruptedException {
        long since = Long.parseLong(a.get("since"));
        long deadline = since + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a.getOrDefault("timeoutMs", "90000")));
        return awaitTimes(probes(a), SubscriberProbe::goneAt, since, deadline);
    }

    String watchRecovery(Map<String, String> a) {
        long since = Long.parseLong(a.get("since"));
        List<SubscriberProbe> group = probes(a);
        group.forEach(p -> p.watchRecovery(since));
        return "watching=" + group.size();
    }

    String awaitRecovery(Map<String, String> a) throws InterruptedException {
        long since = Long.parseLong(a.get("since"));
        long deadline = since + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a.getOrDefault("timeoutMs", "60000")));
        return awaitTimes(probes(a), SubscriberProbe::recoveredAt, since, deadline);
    }

    private String awaitTimes(List<SubscriberProbe> all, java.util.function.ToLongFunction<SubscriberProbe> at,
                              long since, long deadline) throws InterruptedException {
        int done;
        do {
            long scan = System.nanoTime();
            done = (int) all.stream().filter(p -> at.applyAsLong(p) >= 0).count();
            agent.progress.set(done);
            if (done < all.size()) {
                pauseAfterScan(scan, 5);
            }
        } while (done < all.size() && System.nanoTime() < deadline);
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(600), 3);
        for (SubscriberProbe p : all) {
            long t = at.applyAsLong(p);
            if (t >= 0) {
                h.recordValue(Math.max(0, (t - since) / 1000));
            }
        }
        return "done=" + done + " of=" + all.size() + " p50us=" + h.getValueAtPercentile(50) + " maxUs="
                + h.getMaxValue() + " minUs=" + (h.getTotalCount() == 0 ? 0 : h.getMinValue());
    }
}
