package dev.registry.examples.consumer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Once the application is ready: every 10 ms, asks the DiscoveryClient for the instances of
 * {@code demo.service} and prints {@code INSTANCES <epochMillis> <n> <ids>} when that set changed
 * (ids: instance id, else host:port, sorted, comma separated; {@code -} for none); every
 * {@code demo.interval}, calls {@code http://<demo.service>/hello} and prints
 * {@code CALL <epochMillis> OK <instance> took=<ms>} or
 * {@code CALL <epochMillis> FAIL <exception> took=<ms> [cause=<root cause>]} (epochMillis: when the
 * call started, i.e. when the load balancer chose an instance). Calls begin once
 * {@code demo.min-instances} instances are listed (or after 30 s) and end after {@code demo.duration}
 * (0: run until stopped), when the application shuts down gracefully (and so deregisters), or when
 * the application is stopped.
 */
@Component
public class DemoLoop {

    private final DiscoveryClient discovery;
    private final RestClient client;
    private final ConfigurableApplicationContext context;
    private final String service;
    private final Duration interval;
    private final Duration duration;
    private final int minInstances;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "demo-watch"));
    private volatile List<String> seen = List.of();
    private volatile boolean running = true;
    private volatile Thread caller;

    public DemoLoop(DiscoveryClient discovery, @LoadBalanced RestClient.Builder loadBalanced,
                    ConfigurableApplicationContext context,
                    @Value("${demo.service}") String service, @Value("${demo.interval}") Duration interval,
                    @Value("${demo.duration}") Duration duration, @Value("${demo.min-instances}") int minInstances) {
        this.discovery = discovery;
        this.client = loadBalanced.build();
        this.context = context;
        this.service = service;
        this.interval = interval;
        this.duration = duration;
        this.minInstances = minInstances;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        watcher.scheduleWithFixedDelay(this::watch, 0, 10, TimeUnit.MILLISECONDS);
        caller = daemon(this::callLoop, "demo-calls");
        caller.start();
    }

    private void watch() {
        try {
            List<String> ids = discovery.getInstances(service).stream().map(DemoLoop::idOf).sorted().toList();
            if (!ids.equals(seen)) {
                seen = ids;
                System.out.println("INSTANCES " + System.currentTimeMillis() + " " + ids.size() + " "
                        + (ids.isEmpty() ? "-" : String.join(",", ids)));
            }
        } catch (RuntimeException e) {
            System.out.println("WATCH " + System.currentTimeMillis() + " FAIL " + e);
        }
    }

    private void callLoop() {
        long waitUntil = System.currentTimeMillis() + 30_000;
        while (running && seen.size() < minInstances && System.currentTimeMillis() < waitUntil) {
            sleepMillis(10);
        }
        long end = duration.isZero() ? Long.MAX_VALUE : System.currentTimeMillis() + duration.toMillis();
        long calls = 0;
        long failed = 0;
        long next = System.nanoTime();
        while (running && System.currentTimeMillis() < end) {
            calls++;
            if (!call()) {
                failed++;
            }
            next += interval.toNanos();
            long delay = next - System.nanoTime();
            if (delay > 0) {
                sleepMillis(TimeUnit.NANOSECONDS.toMillis(delay));
            } else {
                next = System.nanoTime(); // behind (slow call): no burst to catch up
            }
        }
        System.out.println("DONE " + System.currentTimeMillis() + " calls=" + calls + " failed=" + failed);
        if (running) { // demo.duration over: stop the application (graceful: it deregisters)
            System.exit(SpringApplication.exit(context));
        }
    }

    private boolean call() {
        long started = System.currentTimeMillis();
        try {
            String body = client.get().uri("http://" + service + "/hello").retrieve().body(String.class);
            String instance = body == null ? "-" : body.substring(body.lastIndexOf(' ') + 1);
            System.out.println("CALL " + started + " OK " + instance + " took=" + (System.currentTimeMillis() - started));
            return true;
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            System.out.println("CALL " + started + " FAIL " + e.getClass().getSimpleName()
                    + " took=" + (System.currentTimeMillis() - started)
                    + (root == e ? "" : " cause=" + root.getClass().getSimpleName()));
            return false;
        }
    }

    /** First thing on shutdown, before any bean (the load balancer's among them) is destroyed. */
    @EventListener(ContextClosedEvent.class)
    public void stop(ContextClosedEvent event) throws InterruptedException {
        if (event.getApplicationContext() != context) {
            return; // a child context's (Spring Cloud LoadBalancer has one per service)
        }
        running = false;
        watcher.shutdownNow();
        Thread calls = caller;
        if (calls != null && calls != Thread.currentThread()) {
            calls.join(5_000); // the call in flight
        }
    }

    private static String idOf(ServiceInstance instance) {
        String id = instance.getInstanceId();
        return id != null && !id.isBlank() ? id : instance.getHost() + ":" + instance.getPort();
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
