package dev.registry.sim;

import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The simulated network between nodes: every message is an event of the {@link SimLoop}, with a
 * latency, and the faults a real network has: links cut one way or both (asymmetric
 * partitions), lost messages, slow nodes, reordering across connections, duplicated delivery
 * (a request sent again on a new connection after the first one was already handled), nodes
 * that crash (their in-flight messages are lost) or pause (messages wait for them).
 *
 * <p>Calls are request/answer with a timeout, as over our RPC; an answer reaches only the
 * incarnation of the caller that sent the request.
 */
final class SimNetwork {
    /** What a node does with a message: an answer, a future of one, or an exception (refused). */
    interface Handler {
        Object handle(String from, Object message);
    }

    private static final class Endpoint {
        final Handler handler;
        boolean up = true;
        boolean paused;
        int incarnation;
        final Queue<Runnable> parked = new ArrayDeque<>();

        Endpoint(Handler handler) {
            this.handler = handler;
        }
    }

    private final SimLoop loop;
    private final Consumer<String> onBug;
    private final Map<String, Endpoint> nodes = new HashMap<>();
    /** Directed links that drop everything ("from>to"). */
    private final Set<String> cut = new HashSet<>();
    /** Extra latency of messages to or from a node, microseconds. */
    private final Map<String, Long> slow = new HashMap<>();
    /** When the last message on each directed link arrives: links are FIFO unless reordering is on. */
    private final Map<String, Long> lastArrival = new HashMap<>();
    /** Per link, when the latest resent copy (a duplicate) lands: later messages land after it. */
    private final Map<String, Long> resentArrival = new HashMap<>();
    private double lossProbability;
    private double duplicateProbability;
    private boolean reordering;
    private long delivered;
    private long dropped;

    /** @param onBug told of a handler that threw something other than a refusal (a bug in the code under test) */
    SimNetwork(SimLoop loop, Consumer<String> onBug) {
        this.loop = loop;
        this.onBug = onBug;
    }

    /** Adds (or brings back, as a new incarnation with empty state) the node at {@code address}. */
    void attach(String address, Handler handler) {
        Endpoint old = nodes.get(address);
        Endpoint e = new Endpoint(handler);
        e.incarnation = old == null ? 0 : old.incarnation + 1;
        nodes.put(address, e);
    }

    /** The node crashes: it handles nothing more, its in-flight messages and answers are lost. */
    void crash(String address) {
        Endpoint e = nodes.get(address);
        if (e != null) {
            e.up = false;
            e.incarnation++;
            e.parked.clear();
        }
    }

    boolean isUp(String address) {
        Endpoint e = nodes.get(address);
        return e != null && e.up;
    }

    /** A paused node (SIGSTOP, a long GC) handles nothing; messages to it wait until it resumes. */
    void pause(String address, boolean paused) {
        Endpoint e = nodes.get(address);
        if (e == null) {
            return;
        }
        e.paused = paused;
        while (!paused && !e.parked.isEmpty()) {
            Runnable r = e.parked.poll();
            loop.after(0, r);
        }
    }

    boolean isRunning(String address) {
        Endpoint e = nodes.get(address);
        return e != null && e.up && !e.paused;
    }

    int incarnation(String address) {
        Endpoint e = nodes.get(address);
        return e == null ? -1 : e.incarnation;
    }

    void cut(String from, String to, boolean on) {
        if (on) {
            cut.add(from + ">" + to);
        } else {
            cut.remove(from + ">" + to);
        }
    }

    void healAll() {
        cut.clear();
        slow.clear();
        lossProbability = 0;
        duplicateProbability = 0;
        reordering = false;
    }

    void slow(String address, long extraMicros) {
        if (extraMicros <= 0) {
            slow.remove(address);
        } else {
            slow.put(address, extraMicros);
        }
    }

    void loss(double probability) {
        lossProbability = probability;
    }

    void duplicates(double probability) {
        duplicateProbability = probability;
    }

    void reordering(boolean on) {
        reordering = on;
    }

    long delivered() {
        return delivered;
    }

    long dropped() {
        return dropped;
    }

    /** A one-way message (a notice, a pushed table). */
    void send(String from, String to, Object message) {
        transmit(from, to, () -> handle(from, to, message));
    }

    /** A call: the answer of {@code type}, or a failure (refused, timed out). */
    <T> CompletableFuture<T> call(String from, String to, Object request, Class<T> type, Duration timeout) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        int callerIncarnation = incarnation(from);
        loop.after(timeout.toNanos() / 1000, () -> answer.completeExceptionally(
                new RpcException(ErrorCode.TIMEOUT, "no answer from " + to + " within " + timeout.toMillis() + " ms")));
        transmit(from, to, () -> {
            Object result;
            try {
                result = handle(from, to, request);
            } catch (RuntimeException refused) {
                reply(to, from, callerIncarnation, answer, type, null, refused);
                return;
            }
            if (result instanceof CompletableFuture<?> later) {
                later.whenComplete((r, e) -> reply(to, from, callerIncarnation, answer, type, r, e));
            } else {
                reply(to, from, callerIncarnation, answer, type, result, null);
            }
        });
        return answer;
    }

    private <T> void reply(String server, String caller, int callerIncarnation, CompletableFuture<T> answer,
                           Class<T> type, Object result, Throwable error) {
        transmit(server, caller, () -> {
            if (incarnation(caller) != callerIncarnation) {
                return; // the caller crashed meanwhile: nobody waits for this answer
            }
            if (error != null) {
                answer.completeExceptionally(error);
            } else if (result != null && !type.isInstance(result)) {
                answer.completeExceptionally(new RpcException(ErrorCode.BAD_PAYLOAD, "expected " + type.getSimpleName()
                        + ", got " + result.getClass().getSimpleName()));
            } else {
                answer.complete(type.cast(result));
            }
        });
    }

    private Object handle(String from, String to, Object message) {
        Endpoint e = nodes.get(to);
        try {
            return e.handler.handle(from, message);
        } catch (RpcException | IllegalArgumentException | IllegalStateException refused) {
            throw refused instanceof RpcException r ? r : new RpcException(ErrorCode.BAD_REQUEST, refused.getMessage());
        } catch (RuntimeException bug) {
            onBug.accept(to + " failed handling " + message.getClass().getSimpleName() + " from " + from + ": " + bug);
            throw new RpcException(ErrorCode.SERVER_ERROR, String.valueOf(bug));
        }
    }

    /** Applies the link's faults and latency, then runs {@code arrival} at {@code to} (if it still can). */
    private void transmit(String from, String to, Runnable arrival) {
        Endpoint target = nodes.get(to);
        if (target == null || !target.up || cut.contains(from + ">" + to)
                || (lossProbability > 0 && loop.random().nextDouble() < lossProbability)) {
            dropped++;
            return;
        }
        int targetIncarnation = target.incarnation;
        long latency = 100 + loop.random().nextInt(900) + slow.getOrDefault(from, 0L) + slow.getOrDefault(to, 0L);
        long at = loop.nowMicros() + latency;
        String link = from + ">" + to;
        if (!reordering) {
            at = Math.max(at, lastArrival.getOrDefault(link, 0L) + 1); // one connection: in order
        }
        // Even with reordering, nothing overtakes a copy resent on this link: our calls resend a
        // request only while its answer is missing, so what the sender sends after that answer
        // (an unregister after the register) cannot reach the peer before the resent copy.
        at = Math.max(at, resentArrival.getOrDefault(link, 0L) + 1);
        lastArrival.put(link, Math.max(at, lastArrival.getOrDefault(link, 0L)));
        Runnable land = () -> {
            Endpoint now = nodes.get(to);
            if (now == null || !now.up || now.incarnation != targetIncarnation) {
                dropped++;
                return;
            }
            if (now.paused) {
                now.parked.add(arrival);
                return;
            }
            delivered++;
            arrival.run();
        };
        loop.after(at - loop.nowMicros(), land);
        if (duplicateProbability > 0 && loop.random().nextDouble() < duplicateProbability) {
            // Sent again after a reconnect, though the first copy got through: the peer sees it twice,
            // but before what its sender sent after it on this link (see resentArrival), reordering or not.
            long again = at + 2_000 + loop.random().nextInt(50_000);
            if (!reordering) {
                lastArrival.put(link, Math.max(again, lastArrival.getOrDefault(link, 0L)));
            }
            resentArrival.merge(link, again, Math::max);
            loop.after(again - loop.nowMicros(), land);
        }
    }
}
