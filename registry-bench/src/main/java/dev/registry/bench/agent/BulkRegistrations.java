package dev.registry.bench.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's bulk registration commands: {@code publish} (stable publishers, or providers that
 * get killed), {@code watchOnly} (the lightest subscribers, for heap figures) and {@code prepare}.
 * Each spreads its registrations over a pool of threads and answers how many were done.
 *
 * <p>Threading: each command on the agent's command thread that runs it, plus a pool of its own.
 */
final class BulkRegistrations {
    private final AgentContext agent;

    BulkRegistrations(AgentContext agent) {
        this.agent = agent;
    }

    /** Publishers {@code start..start+count-1}; publisher j serves {@code prefix-(j % ids)}. */
    String publish(Map<String, String> a) throws Exception {
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
        agent.progress.set(0);
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    int j = start + i;
                    String v = kind.equals("pub") ? "pub:" + j + ":" : kind + ":" + agent.tag + ":" + j + ":";
                    try {
                        inflight.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    try {
                        handles[i] = agent.driver.publish(i % agent.clients, prefix + "-" + (j % ids), agent.value(v));
                        agent.driver.whenAcknowledged(handles[i], inflight::release);
                        agent.progress.incrementAndGet();
                    } catch (Exception e) {
                        inflight.release();
                        failed.incrementAndGet();
                        keepFirst(errors, e);
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
            unacked = unacknowledged(handles);
            if (unacked > 0) {
                agent.progress.set(count - unacked);
                Thread.sleep(5);
            }
        } while (unacked > 0 && System.nanoTime() < deadline);
        long elapsed = System.nanoTime() - t0;
        int done = 0;
        for (Object h : handles) {
            if (h != null && agent.driver.isAcknowledged(h) && agent.driver.failure(h) == null) {
                done++; // registered and acknowledged: what "done" reports (not merely sent)
            }
            Throwable asyncError = h == null ? null : agent.driver.failure(h);
            if (asyncError != null) {
                failed.incrementAndGet();
                keepFirst(errors, asyncError);
            }
        }
        if (!errors.isEmpty()) {
            System.err.println("publish errors, first ones: " + errors);
        }
        agent.progress.set(done);
        return "elapsedNanos=" + elapsed + " sentNanos=" + sentNanos + " failed=" + failed.get() + " unacked=" + unacked
                + " done=" + done;
    }

    /** Lightest subscribers, for the memory scenario: {@code count} over {@code prefix-(i % ids)}. */
    String watchOnly(Map<String, String> a) throws Exception {
        int count = Integer.parseInt(a.get("count"));
        int ids = Integer.parseInt(a.get("ids"));
        String prefix = a.get("prefix");
        int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        Object[] handles = new Object[count];
        agent.progress.set(0);
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    try {
                        // subscriber i: id i % ids on connection (i / ids) % clients, so that up to
                        // ids × clients subscribers are distinct (connection, id) pairs
                        handles[i] = agent.driver.watchOnly((i / ids) % agent.clients, prefix + "-" + (i % ids));
                        agent.progress.incrementAndGet();
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
            unacked = unacknowledged(handles);
            if (unacked > 0) {
                Thread.sleep(10);
            }
        } while (unacked > 0 && System.nanoTime() < deadline);
        return "elapsedNanos=" + (System.nanoTime() - t0) + " failed=" + failed.get() + " unacked=" + unacked;
    }

    /** {@code driver.prepare} of ids {@code prefix-(start..start+ids-1)}, on {@code threads} threads (1). */
    String prepare(Map<String, String> a) throws Exception {
        int ids = Integer.parseInt(a.get("ids"));
        int start = Integer.parseInt(a.getOrDefault("start", "0"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        AtomicInteger next = new AtomicInteger();
        agent.progress.set(0);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < ids) {
                    agent.driver.prepare(a.get("prefix") + "-" + (start + i));
                    agent.progress.incrementAndGet();
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

    /** How many of the registrations the registry has not acknowledged yet (asynchronous clients). */
    private int unacknowledged(Object[] handles) {
        int unacked = 0;
        for (Object h : handles) {
            if (h != null && !agent.driver.isAcknowledged(h)) {
                unacked++;
            }
        }
        return unacked;
    }

    /** Keeps the first three errors for the log: enough to see why, without a million lines. */
    private static void keepFirst(List<String> errors, Throwable e) {
        synchronized (errors) {
            if (errors.size() < 3) {
                errors.add(e.toString());
            }
        }
    }
}
