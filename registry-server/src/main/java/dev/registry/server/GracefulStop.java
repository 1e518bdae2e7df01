package dev.registry.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the launcher's stop once, on SIGTERM or SIGINT, before the JVM begins to shut down.
 *
 * <p>Why not only a shutdown hook: the JVM runs every hook at the same time, and the embedded H2
 * database registers one of its own (H2 refuses to turn it off together with AUTO_SERVER), which
 * closes the database while our hook is still draining sessions and data servers. The meta, closed
 * last, then could not release its leader lease ("Database is already closed"), and a restarted
 * meta waited for its own old lease to run out (issue 15: 7.6 s to ready instead of 2). Handling
 * the signals ourselves runs the whole stop, lease release included, while the database is still
 * open; the JVM exits afterwards, with the status a signal's default handling gives (128 + its
 * number: 143 for SIGTERM), which scripts and service managers expect. The shutdown hook stays for every other way the JVM can end
 * (System.exit elsewhere, SIGHUP), where the old race remains and followers wait for the lease.
 *
 * <p>Threading: the stop runs on the first thread that asks (a signal's handler thread or the
 * hook); every other asker waits until it finished.
 */
final class GracefulStop {
    private static final Logger log = LoggerFactory.getLogger(GracefulStop.class);
    private static final List<String> SIGNALS = List.of("TERM", "INT");

    private final Runnable stop;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile int exitStatus;

    private GracefulStop(Runnable stop) {
        this.stop = stop;
    }

    /** Runs {@code stop} once on SIGTERM, SIGINT or JVM shutdown, whichever comes first. */
    static GracefulStop install(Runnable stop) {
        GracefulStop g = new GracefulStop(stop);
        for (String name : SIGNALS) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> g.stopOnce("SIG" + name, 128 + signal.getNumber()));
            } catch (IllegalArgumentException e) {
                // E.g. the JVM runs with -Xrs or the signal is in use: the shutdown hook below still stops the node.
                log.warn("cannot handle SIG{} ({}); stopping from the shutdown hook instead", name, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> g.stopOnce("JVM shutdown", 0), "registry-shutdown"));
        return g;
    }

    private void stopOnce(String cause, int status) {
        if (started.compareAndSet(false, true)) {
            exitStatus = status;
            log.info("stopping ({})", cause);
            try {
                stop.run();
            } finally {
                finished.countDown();
            }
            return;
        }
        awaitStopped();
    }

    /**
     * Blocks until the stop has run.
     *
     * @return the exit status for the process: 128 + the signal's number, or 0 when the JVM was
     *         already shutting down for another reason
     */
    int awaitStopped() {
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the stop must finish before the caller goes on (e.g. to System.exit)
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return exitStatus;
    }
}
