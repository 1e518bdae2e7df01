package dev.registry.session.bolt;

import com.alipay.sofa.registry.core.model.Result;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.PendingCalls;
import dev.registry.common.rpc.RpcException;
import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import dev.registry.session.push.PushTarget;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One SOFARegistry client connected to the Bolt port: answers its requests and pushes it
 * {@code ReceivedData} requests, correlated with the client's responses by request id.
 *
 * <p>Thread-safe. Push futures complete on the connection's I/O thread: callbacks must not block.
 */
public final class BoltConnection implements PushTarget {
    private static final Logger log = LoggerFactory.getLogger(BoltConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final Channel channel;
    private final Serializer serializer;
    private final int maxFrameBytes;
    private final Executor inbound;
    private final String id;
    private final AtomicInteger nextRequestId = new AtomicInteger(1);
    private final PendingCalls pending = new PendingCalls();
    private volatile boolean migrating;

    BoltConnection(Channel channel, Serializer serializer, int maxFrameBytes, Executor inbound) {
        this.channel = channel;
        this.serializer = serializer;
        this.maxFrameBytes = maxFrameBytes;
        this.inbound = inbound;
        this.id = "b" + IDS.incrementAndGet() + "-" + channel.remoteAddress();
    }

    /** A process-unique id, e.g. {@code b3-/127.0.0.1:53412}; publishers are stamped with it. */
    @Override
    public String id() {
        return id;
    }

    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public boolean isActive() {
        return channel.isActive();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public long pendingOutboundBytes() {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    public void close() {
        channel.close();
    }

    /** Closed because its client was asked to move (session draining): publishers leave after a grace. */
    void closeForMigration() {
        migrating = true;
        channel.close();
    }

    boolean isMigrating() {
        return migrating;
    }

    Executor inbound() {
        return inbound;
    }

    /** Pushes the list as a {@code ReceivedData} request; completes on the client's successful {@link Result}. */
    @Override
    public CompletableFuture<?> push(DataInfoId dataInfoId, long version, List<String> subscriberIds,
                                     LinkedHashMap<String, ArrayList<String>> valuesByZone, Duration timeout) {
        return call(SofaModel.receivedData(dataInfoId, version, subscriberIds, valuesByZone), timeout).thenApply(r -> {
            if (r instanceof Result result && !result.isSuccess()) {
                throw new RpcException(ErrorCode.SERVER_ERROR, "client " + remoteAddress()
                        + " could not process the push: " + result.getMessage());
            }
            return r;
        });
    }

    /**
     * Sends a request and completes with the deserialized response content, or exceptionally
     * with an {@link RpcException} (a non-success status, TIMEOUT, CONNECTION_CLOSED).
     */
    CompletableFuture<Object> call(Object request, Duration timeout) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        byte[] content;
        try {
            content = serializer.serialize(request);
        } catch (SerializationException e) {
            result.completeExceptionally(new RpcException(ErrorCode.BAD_PAYLOAD, e.getMessage()));
            return result;
        }
        String className = request.getClass().getName();
        if ((long) BoltProtocol.REQUEST_HEADER_BYTES + className.length() + content.length > maxFrameBytes) {
            result.completeExceptionally(new RpcException(ErrorCode.FRAME_TOO_LARGE, className + " of "
                    + content.length + " bytes exceeds the maximum frame of " + maxFrameBytes + " bytes"));
            return result;
        }
        if (!channel.isActive()) {
            result.completeExceptionally(closed());
            return result;
        }
        int requestId = nextRequestId.getAndIncrement();
        pending.register(requestId, result, channel.eventLoop(), timeout,
                () -> "push to " + remoteAddress() + " got no response within " + timeout.toMillis() + " ms");
        // The client drops a request that waited longer than its timeout: give it the same budget.
        channel.writeAndFlush(BoltCommand.request(requestId, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()),
                className, content)).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        pending.fail(requestId, new RpcException(ErrorCode.CONNECTION_CLOSED,
                                "cannot write to " + remoteAddress() + ": " + f.cause()));
                    }
                });
        if (!channel.isActive()) {
            pending.fail(requestId, closed());
        }
        return result;
    }

    private RpcException closed() {
        return new RpcException(ErrorCode.CONNECTION_CLOSED, "connection " + id + " is closed");
    }

    /** Answers a request with a serialized body (its class name goes into the frame). */
    void respond(BoltCommand request, Object body) {
        byte[] content;
        try {
            content = serializer.serialize(body);
        } catch (SerializationException e) {
            log.error("cannot serialize the answer to {} from {}", request.className(), remoteAddress(), e);
            respondError(request, BoltProtocol.Status.SERVER_EXCEPTION,
                    "cannot serialize the response: " + e.getMessage());
            return;
        }
        channel.writeAndFlush(BoltCommand.response(request.requestId(), request.codec(), BoltProtocol.Status.SUCCESS,
                body.getClass().getName(), content));
    }

    /** An error status with a readable message (a Hessian string) for anyone who looks. */
    ChannelFuture respondError(BoltCommand request, BoltProtocol.Status status, String message) {
        return respondError(request.requestId(), request.codec(), status, message);
    }

    ChannelFuture respondError(int requestId, byte codec, BoltProtocol.Status status, String message) {
        byte[] content;
        try {
            content = serializer.serialize(message);
        } catch (SerializationException e) {
            content = new byte[0];
        }
        return channel.writeAndFlush(BoltCommand.response(requestId, codec, status, String.class.getName(), content));
    }

    void heartbeatAck(int requestId) {
        channel.writeAndFlush(BoltCommand.heartbeatAck(requestId));
    }

    /** Tells the peer why, then closes: used after a frame error, when the stream is lost. */
    void failAndClose(int requestId, String message) {
        respondError(requestId, BoltProtocol.CODEC_HESSIAN2, BoltProtocol.Status.CODEC_EXCEPTION, message)
                .addListener(ChannelFutureListener.CLOSE);
    }

    // ---- inbound side, called by BoltChannelHandler ----

    void onResponse(BoltCommand response) {
        CompletableFuture<Object> result = pending.take(response.requestId());
        if (result == null) {
            log.debug("late or unknown response {} from {}", response.requestId(), remoteAddress());
            return;
        }
        if (response.status() != BoltProtocol.Status.SUCCESS.code) {
            result.completeExceptionally(new RpcException(ErrorCode.SERVER_ERROR, "client " + remoteAddress()
                    + " answered " + BoltProtocol.Status.describe(response.status())));
            return;
        }
        try {
            result.complete(response.content().length == 0 ? null : serializer.deserialize(response.content()));
        } catch (SerializationException e) {
            result.completeExceptionally(new RpcException(ErrorCode.BAD_PAYLOAD,
                    "cannot decode the response of " + remoteAddress() + ": " + e.getMessage()));
        }
    }

    void onClosed() {
        pending.failAll(() -> new RpcException(ErrorCode.CONNECTION_CLOSED,
                "connection to " + remoteAddress() + " closed before the response"));
    }

    /** Pushes awaiting the client's answer; exposed so tests can prove nothing leaks. */
    public int pendingCalls() {
        return pending.size();
    }

    @Override
    public String toString() {
        return "BoltConnection{" + id + "}";
    }
}
