package dev.registry.client;

import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.RegisterAck;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.RegisterPublishersRequest;
import dev.registry.common.protocol.RegisterPublishersResponse;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.IoThreadBatches;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcError;
import dev.registry.common.rpc.RpcException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends the publishes of one session connection in batches: what callers publish while the
 * connection's I/O thread is busy goes out as one {@link RegisterPublishersRequest} (up to
 * {@code maxBatch} per frame) when that thread gets to it, instead of one frame, one answer and
 * one hand-over between threads each. A lone publish still goes out as a plain
 * {@link RegisterPublisherRequest}, so a quiet client's wire is what it was.
 *
 * <p>Order is kept: a publish queued here is sent before any request issued after it on the
 * same connection (its unregister, say), because the drain that takes it was handed to the I/O
 * thread before that request's write was, and that thread runs them in order.
 *
 * <p>Each publish's future completes as a single call's would: with the {@link RegisterAck}, or
 * exceptionally with the {@link RpcException} the session answered for it (one refused
 * registration does not fail the others), or the batch's own failure (timeout, connection closed).
 */
final class PublishBatcher {
    private final RpcConnection connection;
    private final Duration timeout;
    private final IoThreadBatches<Pending> outbox;

    private record Pending(Publisher publisher, CompletableFuture<Object> result) {
    }

    PublishBatcher(RpcConnection connection, Duration timeout, int maxBatch) {
        if (maxBatch < 1 || maxBatch > RegisterPublishersRequest.MAX_PUBLISHERS) {
            throw new IllegalArgumentException("maxBatch must be 1.." + RegisterPublishersRequest.MAX_PUBLISHERS
                    + ", got " + maxBatch);
        }
        this.connection = connection;
        this.timeout = timeout;
        this.outbox = new IoThreadBatches<>(connection.ioExecutor(), maxBatch, this::send,
                p -> p.result().completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED,
                        "client connection " + connection.id() + " is closed")));
    }

    RpcConnection connection() {
        return connection;
    }

    CompletableFuture<Object> submit(Publisher publisher) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        outbox.add(new Pending(publisher, result));
        return result;
    }

    private void send(List<Pending> batch) {
        if (batch.size() == 1) {
            Pending only = batch.get(0);
            connection.call(new RegisterPublisherRequest(only.publisher()), timeout).whenComplete((ack, error) -> {
                if (error != null) {
                    only.result().completeExceptionally(error);
                } else {
                    only.result().complete(ack);
                }
            });
            return;
        }
        List<Publisher> publishers = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            publishers.add(p.publisher());
        }
        connection.call(new RegisterPublishersRequest(publishers), RegisterPublishersResponse.class, timeout)
                .whenComplete((response, error) -> complete(batch, response, error));
    }

    private static void complete(List<Pending> batch, RegisterPublishersResponse response, Throwable error) {
        List<Object> outcomes = null;
        if (error == null) {
            try {
                outcomes = outcomesFor(response, batch.size());
            } catch (RpcException e) {
                error = e;
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<Object> result = batch.get(i).result();
            if (error != null) {
                result.completeExceptionally(error);
            } else if (outcomes.get(i) instanceof RegisterAck ack) {
                result.complete(ack);
            } else {
                result.completeExceptionally(RpcException.from((RpcError) outcomes.get(i)));
            }
        }
    }

    /** The answer's outcomes, one per registration sent; a session that answered another count broke the protocol. */
    private static List<Object> outcomesFor(RegisterPublishersResponse response, int sent) {
        if (response.outcomes().size() != sent) {
            throw new RpcException(ErrorCode.BAD_PAYLOAD, "the session answered " + response.outcomes().size()
                    + " outcomes for " + sent + " registrations");
        }
        return response.outcomes();
    }

    /**
     * Registers every publisher on a session that takes batches, {@code maxBatch} per frame;
     * fails if any was not registered (the first refusal's error), as a call per publisher would.
     */
    static CompletableFuture<Void> registerAll(RpcConnection connection, List<Publisher> publishers,
                                               Duration timeout, int maxBatch) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int from = 0; from < publishers.size(); from += maxBatch) {
            List<Publisher> chunk = publishers.subList(from, Math.min(publishers.size(), from + maxBatch));
            calls.add(connection.call(new RegisterPublishersRequest(chunk), RegisterPublishersResponse.class, timeout)
                    .thenAccept(response -> {
                        for (Object outcome : outcomesFor(response, chunk.size())) {
                            if (outcome instanceof RpcError refused) {
                                throw RpcException.from(refused);
                            }
                        }
                    }));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
    }
}
