package dev.registry.bench.agent;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's ticker publishers, whose changes the subscribers time: {@code ticker} registers
 * them, {@code stream} changes them at a steady rate. A ticker's value is
 * {@code tick:<seq>:<nanoTime>,<nanoTime>...:} with the times of its last {@value #TICK_HISTORY}
 * changes, newest first, so that a subscriber can time changes merged into one notification too.
 *
 * <p>Threading: {@code stream} changes the tickers from a pool of its own, one change of a
 * ticker at a time.
 */
final class Tickers {
    /** How many past change times a ticker value carries. */
    static final int TICK_HISTORY = 8;
    private final AgentContext agent;
    private final Histogram changeCalls = new Histogram(TimeUnit.SECONDS.toMicros(300), 3);
    private final List<Object> tickers = new ArrayList<>();
    private final List<AtomicLong> tickSeqs = new ArrayList<>();
    private final List<long[]> tickTimes = new ArrayList<>();

    Tickers(AgentContext agent) {
        this.agent = agent;
    }

    /** One ticker publisher per id {@code prefix-(i * every)}, i = 0..ids-1 ({@code every} 1 unless given). */
    String ticker(Map<String, String> a) throws Exception {
        int ids = Integer.parseInt(a.get("ids"));
        int every = Integer.parseInt(a.getOrDefault("every", "1"));
        String prefix = a.get("prefix");
        for (int i = 0; i < ids; i++) {
            tickSeqs.add(new AtomicLong());
            tickTimes.add(new long[TICK_HISTORY]);
            tickers.add(agent.driver.publish(i % agent.clients, prefix + "-" + i * every,
                    agent.value("tick:0:" + System.nanoTime() + ":")));
        }
        return "tickers=" + ids;
    }

    /** Changes the tickers round-robin at {@code rate} per second for {@code seconds}. */
    String stream(Map<String, String> a) throws Exception {
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
        agent.progress.set(0);
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
                        agent.driver.update(h, agent.value(v.append(':').toString()));
                        done.incrementAndGet();
                        agent.progress.incrementAndGet();
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
}
