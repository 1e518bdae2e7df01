package dev.registry.session.link;

import dev.registry.common.protocol.LeaderWritesRequest;
import dev.registry.common.protocol.LeaderWritesResponse;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.IoThreadBatches;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcError;
import dev.registry.common.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a session's writes to one data server in batches: what the publisher sync issues while the
 * connection's I/O thread is busy goes out as one {@link LeaderWritesRequest} (up to
 * {@link LeaderWritesRequest#MAX_WRITES}) when that thread gets to it, instead of one request, one
 * answer, one timeout and two hand-overs between threads each. A lone write goes out alone, as
 * before.
 *
 * <p>Each write's future completes as its own call's would: with its {@link WriteResult}, or
 * exceptionally with the {@link RpcException} the leader answered for it (so the retry policy of
 * {@link SlotLeaderCalls} sees NOT_LEADER per write), or with the batch's failure (timeout,
 * connection closed). Order: a write queued here goes out before any request issued after it on
 * the same connection, since the drain that takes it was handed to the I/O thread first; a
 * data server carries out a batch's writes in order. A data server of an older build that cannot
 * read a batch gets each write alone from then on.
 *
 * <p>Thread-safe.
 */
final class LeaderWriteBatcher {
    private static final Logger log = LoggerFactory.getLogger(LeaderWriteBatcher.class);

    private final RpcConnection connection;
    private final Duration timeout;
    private final IoThreadBatches<Pending> outbox;
    private volatile boolean batchesRefused;

    private record Pending(Object write, CompletableFuture<WriteResult> result) {
    }

    LeaderWriteBatcher(RpcConnection connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
        this.outbox = new IoThreadBatches<>(connection.ioExecutor(), LeaderWritesRequest.MAX_WRITES, this::send,
                p -> p.result().completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED,
                        "connection " + connection.id() + " is closed")));
    }

    /** Queues a WritePublisherRequest or RemovePublisherRequest; completes with the leader's answer to it. */
    CompletableFuture<WriteResult> submit(Object write) {
        CompletableFuture<WriteResult> result = new CompletableFuture<>();
        if (batchesRefused) {
            sendAlone(new Pending(write, result));
            return result;
        }
        outbox.add(new Pending(write, result));
        return result;
    }

    private void send(List<Pending> batch) {
        if (batch.size() == 1 || batchesRefused) {
            batch.forEach(this::sendAlone);
            return;
        }
        List<Object> writes = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            writes.add(p.write());
        }
        connection.call(new LeaderWritesRequest(writes), LeaderWritesResponse.class, timeout)
                .whenComplete((response, error) -> complete(batch, response, error));
    }

    private void sendAlone(Pending p) {
        connection.call(p.write(), WriteResult.class, timeout).whenComplete((result, error) -> {
            if (error != null) {
                p.result().completeExceptionally(error);
            } else {
                p.result().complete(result);
            }
        });
    }

    private void complete(List<Pending> batch, LeaderWritesResponse response, Throwable error) {
        RpcException rpc = error == null ? null : RpcException.unwrap(error);
        if (rpc != null && (rpc.code() == ErrorCode.NO_HANDLER || rpc.code() == ErrorCode.BAD_PAYLOAD)) {
            // An older data server: it has carried out none of them; each goes alone, now and from now on.
            if (!batchesRefused) {
                batchesRefused = true;
                log.info("data server {} does not take batched writes ({}); sending each alone",
                        connection.remoteAddress(), rpc.code());
            }
            batch.forEach(this::sendAlone);
            return;
        }
        if (error == null && response.outcomes().size() != batch.size()) {
            error = new RpcException(ErrorCode.BAD_PAYLOAD, "the data server answered " + response.outcomes().size()
                    + " outcomes for " + batch.size() + " writes");
        }
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<WriteResult> result = batch.get(i).result();
            if (error != null) {
                result.completeExceptionally(error);
            } else if (response.outcomes().get(i) instanceof WriteResult written) {
                result.complete(written);
            } else {
                result.completeExceptionally(RpcException.from((RpcError) response.outcomes().get(i)));
            }
        }
    }
}
