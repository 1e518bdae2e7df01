package dev.registry.bench.agent;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client process of the bench. It holds one registry driver's connections and runs the
 * commands the orchestrator writes on its stdin, one line each:
 * {@code <id> <verb> key=value ...}. It answers {@code @<id> ok key=value ...} or
 * {@code @<id> err <message>} on stdout, and reports progress as {@code #p done=<n>} lines.
 * It exits when stdin closes, so it never outlives the orchestrator.
 *
 * <p>Values it publishes: {@code pub:<n>:} (stable publishers), {@code tick:<seq>:<nanoTime>:}
 * (the ticker whose changes are timed), {@code dead:<tag>:} (providers that get killed), each
 * padded with 'x' to the payload size.
 *
 * <p>Usage: {@code AgentMain <driver class> <agent tag>}.
 */
public final class AgentMain {
    /** How many past change times a ticker value carries. */
    static final int TICK_HISTORY = 8;
    private final Driver driver;
    private final String tag;
    private final PrintStream out;
    private final ExecutorService commands = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "agent-command");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong progress = new AtomicLong();
    private final Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(300), 3);
    private final Histogram changeCalls = new Histogram(TimeUnit.SECONDS.toMicros(300), 3);
    private final Map<String, List<SubscriberProbe>> probes = new LinkedHashMap<>();
    private final List<Object> tickers = new ArrayList<>();
    private final List<AtomicLong> tickSeqs = new ArrayList<>();
    private final List<long[]> tickTimes = new ArrayList<>();
    private int clients;
    private int payload = 200;
    private RawConnections raw;

    private AgentMain(Driver driver, String tag, PrintStream out) {
        this.driver = driver;
        this.tag = tag;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // libraries that print must not corrupt the command channel
        Driver driver = args[0].equals("none") ? null
                : (Driver) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        new AgentMain(driver, args.length > 1 ? args[1] : "a", out).run();
    }

    private void run() throws Exception {
        Thread ticker = new Thread(() -> {
            long last = -1;
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                long p = progress.get();
                if (p != last) {
                    emit("#p done=" + p);
                    last = p;
                }
            }
        }, "agent-progress");
        ticker.setDaemon(true);
        ticker.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.trim().split(" ");
            if (parts.length < 2) {
                continue;
            }
            String id = parts[0];
            String verb = parts[1];
            Map<String, String> args = new LinkedHashMap<>();
            for (int i = 2; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq > 0) {
                    args.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
                }
            }
            commands.submit(() -> {
                try {
                    emit("@" + id + " ok " + handle(verb, args));
                } catch (Throwable e) {
                    e.printStackTrace();
                    emit("@" + id + " err " + String.valueOf(e).replace('\n', ' '));
                }
            });
        }
        // Orchestrator gone: leave at once, without waiting for client shutdown.
        Runtime.getRuntime().halt(0);
    }

    private synchronized void emit(String line) {
        out.println(line);
    }

    private String handle(String verb, Map<String, String> a) throws Exception {
        return switch (verb) {
            case "connect" -> connect(a);
            case "publish" -> publish(a);
            case "ticker" -> ticker(a);
            case "stream" -> stream(a);
            case "subscribe" -> subscribe(a);
            case "awaitFull" -> awaitFull(a);
            case "resetStats" -> resetStats(a);
            case "stats" -> stats(a);
            case "watchGone" -> watchGone(a);
            case "awaitGone" -> awaitGone(a);
            case "watchRecovery" -> watchRecovery(a);
            case "awaitRecovery" -> awaitRecovery(a);
            case "watchOnly" -> watchOnly(a);
            case "prepare" -> prepare(a);
            case "conns" -> conns(a);
            case "connsAlive" -> "alive=" + (raw == null ? 0 : raw.alive());
            case "close" -> close();
            default -> throw new IllegalArgumentException("unknown command " + verb);
        };
    }

    private String connect(Map<String, String> a) throws Exception {
        clients = Integer.parseInt(a.get("clients"));
        payload = Integer.parseInt(a.getOrDefault("payload", "200"));
        long t0 = System.nanoTime();
        driver.connect(a.get("address"), clients, a);
        return "ms=" + (System.nanoTime() - t0) / 1_000_000;
    }

    private String value(String prefix) {
        StringBuilder sb = new StringBuilder(Math.max(payload, prefix.length()));
        sb.append(prefix);
        while (sb.length() < payload) {
            sb.append('x');
        }
        return sb.toString();
    }

    /** Publishers {@code start..start+count-1}; publisher j serves {@code prefix-(j % ids)}. */
    private String publish(Map<String, String> a) throws Exception {
        int count = Integer.parseInt(a.get("count"));
        int start = Integer.parseInt(a.getOrDefault("start", "0"));
        int ids = Integer.parseInt(a.get("ids"));
        String prefix = a.get("prefix");
        String kind = a.getOrDefault("kind", "pub");
        int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
        // Asynchronous clients: at most this many registrations unanswered at once (blocking ones: threads).
        java.util.concurrent.Semaphore inflight = new java.util.concurrent.Semaphore(
                Integer.parseInt(a.getOrDefault("inflight", String.valueOf(threads))));
        long timeoutMs = Long.parseLong(a.getOrDefault("timeoutMs", "600000"));
        Object[] handles = new Object[count];
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        List<String> errors = new ArrayList<>();
        progress.set(0);
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    int j = start + i;
                    String v = kind.equals("pub") ? "pub:" + j + ":" : kind + ":" + tag + ":" + j + ":";
                    try {
                        inflight.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    try {
                        handles[i] = driver.publish(i % clients, prefix + "-" + (j % ids), value(v));
                        driver.whenAcknowledged(handles[i], inflight::release);
                        progress.incrementAndGet();
                    } catch (Exception e) {
                        inflight.release();
                        failed.incrementAndGet();
                        synchronized (errors) {
                            if (errors.size() < 3) {
                                errors.add(e.toString());
                            }
                        }
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
            pool.shutdownNow(); // out of time: no more registrations; the answer says how many were done
            next.set(count);
        }
        long sentNanos = System.nanoTime() - t0;
        // Asynchronous clients (SOFARegistry): wait until the registry acknowledged every one.
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int unacked;
        do {
            unacked = 0;
            for (Object h : handles) {
                if (h != null && !driver.isAcknowledged(h)) {
                    unacked++;
                }
            }
            if (unacked > 0) {
                progress.set(count - unacked);
                Thread.sleep(5);
            }
        } while (unacked > 0 && System.nanoTime() < deadline);
        long elapsed = System.nanoTime() - t0;
        int done = 0;
        for (Object h : handles) {
            if (h != null && driver.isAcknowledged(h) && driver.failure(h) == null) {
                done++; // registered and acknowledged: what "done" reports (not merely sent)
            }
            Throwable asyncError = h == null ? null : driver.failure(h);
            if (asyncError != null) {
                failed.incrementAndGet();
                synchronized (errors) {
                    if (errors.size() < 3) {
                        errors.add(asyncError.toString());
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            System.err.println("publish errors, first ones: " + errors);
        }
        progress.set(done);
        return "elapsedNanos=" + elapsed + " sentNanos=" + sentNanos + " failed=" + failed.get() + " unacked=" + unacked
                + " done=" + done;
    }

    /** One ticker publisher per id {@code prefix-(i * every)}, i = 0..ids-1 ({@code every} 1 unless given). */
    private String ticker(Map<String, String> a) throws Exception {
        int ids = Integer.parseInt(a.get("ids"));
        int every = Integer.parseInt(a.getOrDefault("every", "1"));
        String prefix = a.get("prefix");
        for (int i = 0; i < ids; i++) {
            tickSeqs.add(new AtomicLong());
            tickTimes.add(new long[TICK_HISTORY]);
            tickers.add(driver.publish(i % clients, prefix + "-" + i * every, value("tick:0:" + System.nanoTime() + ":")));
        }
        return "tickers=" + ids;
    }

    /** Changes the tickers round-robin at {@code rate} per second for {@code seconds}. */
    private String stream(Map<String, String> a) throws Exception {
        double rate = Double.parseDouble(a.get("rate"));
        double seconds = Double.parseDouble(a.get("seconds"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "4"));
        long total = (long) (rate * seconds);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong failed = new AtomicLong();
        AtomicLong done = new AtomicLong();
        synchronized (changeCalls) {
            changeCalls.reset();
        }
        progress.set(0);
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (long k = 0; k < total; k++) {
            long at = t0 + (long) (k * 1e9 / rate);
            long wait = at - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int idx = (int) (k % tickers.size());
            futures.add(pool.submit(() -> {
                Object h = tickers.get(idx);
                synchronized (h) { // one change of a ticker at a time keeps its sequence ordered
                    long seq = tickSeqs.get(idx).incrementAndGet();
                    long[] times = tickTimes.get(idx);
                    System.arraycopy(times, 0, times, 1, times.length - 1);
                    StringBuilder v = new StringBuilder("tick:").append(seq).append(':');
                    long t = System.nanoTime();
                    times[0] = t;
                    for (int n = 0; n < Math.min(seq, times.length); n++) {
                        v.append(n == 0 ? "" : ",").append(times[n]);
                    }
                    try {
                        driver.update(h, value(v.append(':').toString()));
                        done.incrementAndGet();
                        progress.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    synchronized (changeCalls) {
                        changeCalls.recordValue((System.nanoTime() - t) / 1000);
                    }
                }
            }));
            if (futures.size() > 10_000) {
                futures.removeIf(Future::isDone);
            }
        }
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - t0;
        Histogram h;
        synchronized (changeCalls) {
            h = changeCalls.copy();
        }
        return "changes=" + done.get() + " failed=" + failed.get() + " elapsedNanos=" + elapsed
                + " callP50us=" + h.getValueAtPercentile(50) + " callP99us=" + h.getValueAtPercentile(99)
                + " callMaxUs=" + h.getMaxValue();
    }

    /**
     * {@code count} subscribers on {@code prefix-(first + i % ids)} ({@code first} 0 unless given);
     * each expects {@code total} stable publishers spread as {@code publish} spreads them, and a
     * ticker if {@code ticker=true}, or if its id is one {@code ticker every=tickerEvery} put a
     * ticker on ({@code tickerCount} of them) — those go into group {@code tickerGroup}.
     */
    private String subscribe(Map<String, String> a) throws Exception {
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
        progress.set(0);
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
                        driver.subscribe(ids == 1 ? i % clients : (i + i / ids) % clients, prefix + "-" + id, p::onList);
                        progress.incrementAndGet();
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

    private String awaitFull(Map<String, String> a) throws InterruptedException {
        long timeoutMs = Long.parseLong(a.getOrDefault("timeoutMs", "60000"));
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int full;
        List<SubscriberProbe> all = probes(a);
        do {
            long scan = System.nanoTime();
            full = (int) all.stream().filter(SubscriberProbe::isFull).count();
            progress.set(full);
            if (full < all.size()) {
                pauseAfterScan(scan, 10);
            }
        } while (full < all.size() && System.nanoTime() < deadline);
        return "full=" + full + " of=" + all.size() + " ms=" + (System.nanoTime() - t0) / 1_000_000;
    }

    private String resetStats(Map<String, String> a) {
        long now = System.nanoTime();
        synchronized (latencies) {
            latencies.reset();
        }
        probes(a).forEach(p -> p.resetStats(now));
        return "since=" + now;
    }

    private String stats(Map<String, String> a) {
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

    private String watchGone(Map<String, String> a) {
        long since = Long.parseLong(a.get("since"));
        List<SubscriberProbe> group = probes(a);
        group.forEach(p -> p.watchGone(a.get("marker"), since));
        return "watching=" + group.size();
    }

    /** Waits until no subscriber lists the marked publisher; answers per-subscriber delays. */
    private String awaitGone(Map<String, String> a) throws InterruptedException {
        long since = Long.parseLong(a.get("since"));
        long deadline = since + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a.getOrDefault("timeoutMs", "90000")));
        return awaitTimes(probes(a), SubscriberProbe::goneAt, since, deadline);
    }

    private String watchRecovery(Map<String, String> a) {
        long since = Long.parseLong(a.get("since"));
        List<SubscriberProbe> group = probes(a);
        group.forEach(p -> p.watchRecovery(since));
        return "watching=" + group.size();
    }

    private String awaitRecovery(Map<String, String> a) throws InterruptedException {
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
            progress.set(done);
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

    /** Lightest subscribers, for the memory scenario: {@code count} over {@code prefix-(i % ids)}. */
    private String watchOnly(Map<String, String> a) throws Exception {
        int count = Integer.parseInt(a.get("count"));
        int ids = Integer.parseInt(a.get("ids"));
        String prefix = a.get("prefix");
        int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        Object[] handles = new Object[count];
        progress.set(0);
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    try {
                        // subscriber i: id i % ids on connection (i / ids) % clients, so that up to
                        // ids × clients subscribers are distinct (connection, id) pairs
                        handles[i] = driver.watchOnly((i / ids) % clients, prefix + "-" + (i % ids));
                        progress.incrementAndGet();
                    } catch (Exception e) {
                        if (failed.incrementAndGet() < 3) {
                            e.printStackTrace();
                        }
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        int unacked;
        do { // asynchronous clients: until the registry acknowledged every subscriber
            unacked = 0;
            for (Object h : handles) {
                if (h != null && !driver.isAcknowledged(h)) {
                    unacked++;
                }
            }
            if (unacked > 0) {
                Thread.sleep(10);
            }
        } while (unacked > 0 && System.nanoTime() < deadline);
        return "elapsedNanos=" + (System.nanoTime() - t0) + " failed=" + failed.get() + " unacked=" + unacked;
    }

    /** {@code driver.prepare} of ids {@code prefix-(start..start+ids-1)}, on {@code threads} threads (1). */
    private String prepare(Map<String, String> a) throws Exception {
        int ids = Integer.parseInt(a.get("ids"));
        int start = Integer.parseInt(a.getOrDefault("start", "0"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        AtomicInteger next = new AtomicInteger();
        progress.set(0);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < ids) {
                    driver.prepare(a.get("prefix") + "-" + (start + i));
                    progress.incrementAndGet();
                }
                return null;
            }));
        }
        pool.shutdown();
        for (Future<?> f : done) {
            f.get(); // the first failure fails the command
        }
        return "prepared=" + ids;
    }

    private String conns(Map<String, String> a) throws Exception {
        raw = new RawConnections(a.get("protocol"), a.get("address"), List.of(a.get("sources").split(",")));
        long t0 = System.nanoTime();
        int opened = raw.open(Integer.parseInt(a.get("count")), Integer.parseInt(a.getOrDefault("inflight", "200")),
                progress);
        return "opened=" + opened + " elapsedNanos=" + (System.nanoTime() - t0);
    }

    private String close() {
        if (driver != null) {
            driver.close();
        }
        if (raw != null) {
            raw.close();
        }
        return "closed=true";
    }
}
