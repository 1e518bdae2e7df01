package dev.registry.common.rpc;

import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One live connection, usable from either end: calls with correlated responses and per-call
 * timeouts, one-way sends, and an attachment slot for the role's per-connection state.
 *
 * <p>Thread-safe. Response futures complete on the connection's I/O thread: callbacks must
 * not block.
 */
public final class RpcConnection {
    private static final Logger log = LoggerFactory.getLogger(RpcConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final Channel channel;
    private final boolean local;
    private final Serializer serializer;
    private final RpcConfig config;
    private final Executor inbound;
    private final String id;
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final PendingCalls pending = new PendingCalls();
    /** Frames written from threads other than the I/O thread, which writes them in order in one go. */
    private final java.util.Queue<Outgoing> outbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean drainScheduled = new java.util.concurrent.atomic.AtomicBoolean();

    private record Outgoing(Frame frame, io.netty.channel.ChannelPromise promise) {
    }
    private volatile Object attachment;

    /** Requests of this connection waiting for (or in) a handler: bounded by {@link RpcConfig#maxQueuedPerConnection}. */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();

    RpcConfig config() {
        return config;
    }

    java.util.concurrent.atomic.AtomicInteger queued() {
        return queued;
    }

    RpcConnection(Channel channel, Serializer serializer, RpcConfig config, Executor inbound) {
        this.channel = channel;
        this.serializer = serializer;
        this.config = config;
        this.inbound = inbound;
        this.id = "c" + IDS.incrementAndGet() + "-" + channel.remoteAddress();
        this.local = channel instanceof io.netty.channel.local.LocalChannel;
    }

    /** A process-unique id, e.g. {@code c17-/127.0.0.1:53412}. */
    public String id() {
        return id;
    }

    /** The server's address as the client named it, for a connection {@link InProcessLinks in-process}. */
    static final io.netty.util.AttributeKey<InetSocketAddress> PEER = io.netty.util.AttributeKey.valueOf("inProcessPeer");
    private static final InetSocketAddress IN_PROCESS = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);

    /** The peer's address; for an in-process connection the server's as named, or loopback port 0 on the server side. */
    public InetSocketAddress remoteAddress() {
        if (channel.remoteAddress() instanceof InetSocketAddress a) {
            return a;
        }
        InetSocketAddress named = channel.attr(PEER).get();
        return named != null ? named : IN_PROCESS;
    }

    public InetSocketAddress localAddress() {
        return channel.localAddress() instanceof InetSocketAddress a ? a : IN_PROCESS;
    }

    /** Whether this connection stays inside the process ({@link InProcessLinks}). */
    public boolean inProcess() {
        return local;
    }

    /** A frame carrying {@code message}: as the object itself in-process when the serializer allows it, else encoded. */
    private Frame frame(FrameType type, byte flags, long requestId, Object message) {
        if (local && serializer.passesInProcess(message)) {
            return new Frame(type, flags, requestId, null, message);
        }
        return new Frame(type, flags, requestId, encode(message));
    }

    /** The message a received frame carries. */
    Object messageOf(Frame frame) throws SerializationException {
        return frame.message() != null ? frame.message() : serializer.deserialize(frame.body());
    }

    public boolean isActive() {
        return channel.isActive();
    }

    /** False while the outbound buffer is above its high-water mark. */
    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Bytes queued for this connection that the peer has not read yet (0 once closed). */
    public long pendingOutboundBytes() {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    public CompletableFuture<Void> closeFuture() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.closeFuture().addListener(x -> f.complete(null));
        return f;
    }

    public void close() {
        channel.close();
    }

    public void setAttachment(Object value) {
        this.attachment = value;
    }

    public <T> T attachment(Class<T> type) {
        Object a = attachment;
        return type.isInstance(a) ? type.cast(a) : null;
    }

    /**
     * The connection's I/O thread: work handed to it runs in order with the writes issued from
     * it, and a write issued on it is not handed over to it again.
     */
    public java.util.concurrent.Executor ioExecutor() {
        return channel.eventLoop();
    }

    /** Calls with the configured default timeout. */
    public CompletableFuture<Object> call(Object request) {
        return call(request, config.callTimeout());
    }

    public <T> CompletableFuture<T> call(Object request, Class<T> responseType) {
        return call(request, responseType, config.callTimeout());
    }

    public <T> CompletableFuture<T> call(Object request, Class<T> responseType, Duration timeout) {
        return call(request, timeout).thenApply(r -> {
            if (r != null && !responseType.isInstance(r)) {
                throw new RpcException(ErrorCode.BAD_PAYLOAD, "expected " + responseType.getSimpleName()
                        + " in response to " + request.getClass().getSimpleName() + " but got " + r.getClass().getName());
            }
            return responseType.cast(r);
        });
    }

    /**
     * Sends a request and completes with the response object, or exceptionally with an
     * {@link RpcException} (the peer's error, {@link ErrorCode#TIMEOUT} or {@link ErrorCode#CONNECTION_CLOSED}).
     */
    public CompletableFuture<Object> call(Object request, Duration timeout) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        long requestId = nextRequestId.getAndIncrement();
        Frame frame;
        try {
            frame = frame(FrameType.REQUEST, (byte) 0, requestId, request);
        } catch (RpcException e) {
            result.completeExceptionally(e);
            return result;
        }
        if (!channel.isActive()) {
            result.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED, "connection " + id + " is closed"));
            return result;
        }
        pending.register(requestId, result, channel.eventLoop(), timeout, () -> request.getClass().getSimpleName()
                + " to " + channel.remoteAddress() + " got no response within " + timeout.toMillis() + " ms");
        write(frame).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                pending.fail(requestId, new RpcException(ErrorCode.CONNECTION_CLOSED,
                        "cannot write to " + channel.remoteAddress() + ": " + f.cause()));
            }
        });
        // The channel may have closed between the isActive check and the put.
        if (!channel.isActive()) {
            pending.fail(requestId, new RpcException(ErrorCode.CONNECTION_CLOSED, "connection " + id + " is closed"));
        }
        return result;
    }

    /**
     * Asks the peer's RPC layer for a heartbeat answer: completes when it came back, or fails
     * with {@link ErrorCode#TIMEOUT} or {@link ErrorCode#CONNECTION_CLOSED}. Proves the peer's
     * process serves this connection, without a request type of its own (e.g. meta probing a
     * data server that others report unreachable).
     */
    public CompletableFuture<Void> ping(Duration timeout) {
        CompletableFuture<Object> answered = new CompletableFuture<>();
        if (!channel.isActive()) {
            answered.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED, "connection " + id + " is closed"));
            return answered.thenApply(x -> null);
        }
        long requestId = nextRequestId.getAndIncrement();
        pending.register(requestId, answered, channel.eventLoop(), timeout, () -> "ping to " + channel.remoteAddress()
                + " got no answer within " + timeout.toMillis() + " ms");
        write(new Frame(FrameType.HEARTBEAT, (byte) 0, requestId, new byte[0])).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                pending.fail(requestId, new RpcException(ErrorCode.CONNECTION_CLOSED,
                        "cannot write to " + channel.remoteAddress() + ": " + f.cause()));
            }
        });
        if (!channel.isActive()) {
            pending.fail(requestId, new RpcException(ErrorCode.CONNECTION_CLOSED, "connection " + id + " is closed"));
        }
        return answered.thenApply(x -> null);
    }

    /** Sends a one-way message; the future completes when it was written (not processed). */
    public CompletableFuture<Void> send(Object message) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        Frame frame;
        try {
            frame = frame(FrameType.ONEWAY, (byte) 0, 0, message);
        } catch (RpcException e) {
            written.completeExceptionally(e);
            return written;
        }
        write(frame).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                written.complete(null);
            } else {
                written.completeExceptionally(new RpcException(ErrorCode.CONNECTION_CLOSED,
                        "cannot write to " + channel.remoteAddress() + ": " + f.cause()));
            }
        });
        return written;
    }

    /** Calls awaiting a response; exposed so tests can prove timeouts leak nothing. */
    public int pendingCalls() {
        return pending.size();
    }

    private byte[] encode(Object message) {
        byte[] body;
        try {
            body = serializer.serialize(message);
        } catch (SerializationException e) {
            throw new RpcException(ErrorCode.BAD_PAYLOAD, e.getMessage());
        }
        if (body.length + Frame.HEADER_LENGTH > config.maxFrameBytes()) {
            throw new RpcException(ErrorCode.FRAME_TOO_LARGE, message.getClass().getSimpleName() + " of "
                    + body.length + " bytes exceeds the maximum frame of " + config.maxFrameBytes() + " bytes");
        }
        return body;
    }

    // ---- inbound side, called by RpcChannelHandler ----

    /** A heartbeat answer; one with a request id answers {@link #ping}. */
    void onHeartbeatAck(Frame frame) {
        if (frame.requestId() == 0) {
            return; // the answer to an idle heartbeat: receiving it reset the idle timer already
        }
        CompletableFuture<Object> result = pending.take(frame.requestId());
        if (result != null) {
            result.complete(null);
        }
    }

    void onResponse(Frame frame) {
        CompletableFuture<Object> result = pending.take(frame.requestId());
        if (result == null) {
            if (frame.requestId() == 0 && frame.isError()) {
                log.warn("peer {} reported a protocol error: {}", channel.remoteAddress(), decodeQuietly(frame));
            } else {
                log.debug("late or unknown response {} from {}", frame.requestId(), channel.remoteAddress());
            }
            return;
        }
        Object body;
        try {
            body = messageOf(frame);
        } catch (SerializationException e) {
            result.completeExceptionally(new RpcException(ErrorCode.BAD_PAYLOAD,
                    "cannot decode response from " + channel.remoteAddress() + ": " + e.getMessage()));
            return;
        }
        if (frame.isError()) {
            RpcError error = body instanceof RpcError e ? e
                    : new RpcError(ErrorCode.SERVER_ERROR, String.valueOf(body), 0);
            result.completeExceptionally(RpcException.from(error));
        } else {
            result.complete(body);
        }
    }

    private String decodeQuietly(Frame frame) {
        try {
            return String.valueOf(messageOf(frame));
        } catch (SerializationException e) {
            return "(undecodable: " + e.getMessage() + ")";
        }
    }

    void onClosed() {
        pending.failAll(() -> new RpcException(ErrorCode.CONNECTION_CLOSED,
                "connection to " + channel.remoteAddress() + " closed before the response"));
    }

    Executor inbound() {
        return inbound;
    }

    Serializer serializer() {
        return serializer;
    }

    Channel channel() {
        return channel;
    }

    void respond(long requestId, Object response) {
        Frame frame;
        try {
            frame = frame(FrameType.RESPONSE, (byte) 0, requestId, response);
        } catch (RpcException e) {
            log.warn("cannot encode response to {}: {}", channel.remoteAddress(), e.getMessage());
            respondError(requestId, e.toError());
            return;
        }
        write(frame);
    }

    ChannelFuture respondError(long requestId, RpcError error) {
        if (local && serializer.passesInProcess(error)) {
            return write(new Frame(FrameType.RESPONSE, Frame.FLAG_ERROR, requestId, null, error));
        }
        byte[] body;
        try {
            body = serializer.serialize(error);
        } catch (SerializationException e) {
            throw new IllegalStateException("RpcError must always serialize", e);
        }
        return write(new Frame(FrameType.RESPONSE, Frame.FLAG_ERROR, requestId, body));
    }

    /**
     * Writes and flushes a frame. From another thread than the connection's I/O thread the frame
     * joins an outbox that one task on the I/O thread writes out with a single flush: a burst of
     * calls from a worker (a batch of registrations synced to their slot leaders, say) costs one
     * hand-over between threads, not one each. Frames go out in the order they were written,
     * whichever thread wrote them.
     */
    private ChannelFuture write(Frame frame) {
        io.netty.channel.EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop() && outbox.isEmpty()) {
            return channel.writeAndFlush(frame);
        }
        io.netty.channel.ChannelPromise promise = channel.newPromise();
        outbox.add(new Outgoing(frame, promise));
        if (loop.inEventLoop()) {
            drainOutbox(); // behind frames queued by other threads, not ahead of them
        } else if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drainOutbox);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                drainScheduled.set(false);
                for (Outgoing o; (o = outbox.poll()) != null; ) {
                    o.promise().tryFailure(e); // the I/O thread stopped: the channel is gone with it
                }
            }
        }
        return promise;
    }

    private void drainOutbox() {
        // Cleared before polling: a frame queued after this point schedules another drain.
        drainScheduled.set(false);
        boolean wrote = false;
        for (Outgoing o; (o = outbox.poll()) != null; ) {
            channel.write(o.frame(), o.promise());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    @Override
    public String toString() {
        return id;
    }

}
