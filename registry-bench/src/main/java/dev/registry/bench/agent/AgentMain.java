package dev.registry.bench.agent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
 * <p>{@code connect}, {@code conns}, {@code connsAlive} and {@code close} are handled here; the
 * registrations by {@link BulkRegistrations}, the tickers by {@link Tickers} and the subscribers
 * by {@link SubscriberProbes}.
 *
 * <p>Usage: {@code AgentMain <driver class> <agent tag>}.
 */
public final class AgentMain {
    private final AgentContext agent;
    private final BulkRegistrations registrations;
    private final Tickers tickers;
    private final SubscriberProbes probes;
    private final PrintStream out;
    private final ExecutorService commands = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "agent-command");
        t.setDaemon(true);
        return t;
    });
    private RawConnections raw;

    private AgentMain(Driver driver, String tag, PrintStream out) {
        this.agent = new AgentContext(driver, tag);
        this.registrations = new BulkRegistrations(agent);
        this.tickers = new Tickers(agent);
        this.probes = new SubscriberProbes(agent);
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
                long p = agent.progress.get();
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
            case "publish" -> registrations.publish(a);
            case "ticker" -> tickers.ticker(a);
            case "stream" -> tickers.stream(a);
            case "subscribe" -> probes.subscribe(a);
            case "awaitFull" -> probes.awaitFull(a);
            case "resetStats" -> probes.resetStats(a);
            case "stats" -> probes.stats(a);
            case "watchGone" -> probes.watchGone(a);
            case "awaitGone" -> probes.awaitGone(a);
            case "watchRecovery" -> probes.watchRecovery(a);
            case "awaitRecovery" -> probes.awaitRecovery(a);
            case "watchOnly" -> registrations.watchOnly(a);
            case "prepare" -> registrations.prepare(a);
            case "conns" -> conns(a);
            case "connsAlive" -> "alive=" + (raw == null ? 0 : raw.alive());
            case "close" -> close();
            default -> throw new IllegalArgumentException("unknown command " + verb);
        };
    }

    private String connect(Map<String, String> a) throws Exception {
        agent.clients = Integer.parseInt(a.get("clients"));
        agent.payload = Integer.parseInt(a.getOrDefault("payload", "200"));
        long t0 = System.nanoTime();
        agent.driver.connect(a.get("address"), agent.clients, a);
        return "ms=" + (System.nanoTime() - t0) / 1_000_000;
    }

    private String conns(Map<String, String> a) throws Exception {
        raw = new RawConnections(a.get("protocol"), a.get("address"), List.of(a.get("sources").split(",")));
        long t0 = System.nanoTime();
        int opened = raw.open(Integer.parseInt(a.get("count")), Integer.parseInt(a.getOrDefault("inflight", "200")),
                agent.progress);
        return "opened=" + opened + " elapsedNanos=" + (System.nanoTime() - t0);
    }

    private String close() {
        if (agent.driver != null) {
            agent.driver.close();
        }
        if (raw != null) {
            raw.close();
        }
        return "closed=true";
    }
}
