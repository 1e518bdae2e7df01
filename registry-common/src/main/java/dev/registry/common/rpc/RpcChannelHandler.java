package dev.registry.common.rpc;

import dev.registry.common.serialize.SerializationException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The last handler of every pipeline: heartbeats, idle close, responses to our calls, and
 * dispatch of the peer's requests to the {@link HandlerRegistry}. Protocol errors are answered
 * with an error frame and close the connection; bad payloads get an error response and keep it.
 */
final class RpcChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RpcChannelHandler.class);

    private final RpcConnection connection;
    private final HandlerRegistry handlers;
    private final ConnectionListener listener;
    private final boolean sendHeartbeats;
    private final RpcMetrics metrics;

    RpcChannelHandler(RpcConnection connection, HandlerRegistry handlers, ConnectionListener listener,
                      boolean sendHeartbeats, RpcMetrics metrics) {
        this.connection = connection;
        this.handlers = handlers;
        this.listener = listener;
        this.sendHeartbeats = sendHeartbeats;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        metrics.connectionOpened();
        try {
            listener.onConnected(connection);
        } catch (RuntimeException e) {
            log.error("connection listener failed on open of {}", connection, e);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        metrics.connectionClosed();
        connection.onClosed();
        try {
            listener.onDisconnected(connection);
        } catch (RuntimeException e) {
            log.error("connection listener failed on close of {}", connection, e);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        switch (frame.type()) {
            case HEARTBEAT -> ctx.writeAndFlush(new Frame(FrameType.HEARTBEAT_ACK, (byte) 0, frame.requestId(), new byte[0]));
            case HEARTBEAT_ACK -> connection.onHeartbeatAck(frame);
            case RESPONSE -> connection.onResponse(frame);
            case REQUEST, ONEWAY -> {
                int limit = connection.config().maxQueuedPerConnection();
                if (limit > 0 && connection.queued().incrementAndGet() > limit) {
                    // A client that sends faster than it is served: refused, not queued without end.
                    connection.queued().decrementAndGet();
                    metrics.rejectedBusy();
                    if (frame.type() == FrameType.REQUEST) {
                        connection.respondError(frame.requestId(), new RpcError(ErrorCode.UNAVAILABLE,
                                "too many requests queued on this connection (limit " + limit + "); retry later", 0));
                    }
                    return;
                }
                try {
                    connection.inbound().execute(() -> {
                        try {
                            dispatch(frame);
                        } finally {
                            if (limit > 0) {
                                connection.queued().decrementAndGet();
                            }
                        }
                    });
                } catch (RejectedExecutionException e) {
                    if (limit > 0) {
                        connection.queued().decrementAndGet();
                    }
                    if (frame.type() == FrameType.REQUEST) {
                        connection.respondError(frame.requestId(),
                                new RpcError(ErrorCode.UNAVAILABLE, "server is shutting down", 0));
                    }
                }
            }
        }
    }

    private void dispatch(Frame frame) {
        boolean expectsResponse = frame.type() == FrameType.REQUEST;
        Object message;
        try {
            message = connection.messageOf(frame);
        } catch (SerializationException e) {
            metrics.rejectedPayload();
            ErrorCode code = e.rejectedClass() != null ? ErrorCode.CLASS_NOT_ALLOWED : ErrorCode.BAD_PAYLOAD;
            log.warn("rejected payload from {}: {}", connection.remoteAddress(), e.getMessage());
            if (expectsResponse) {
                connection.respondError(frame.requestId(), new RpcError(code, e.getMessage(), 0));
            }
            return;
        }
        if (message == null) {
            if (expectsResponse) {
                connection.respondError(frame.requestId(), new RpcError(ErrorCode.BAD_REQUEST, "empty request", 0));
            }
            return;
        }
        String type = message.getClass().getSimpleName();
        RequestHandler<Object> handler = handlers.handlerFor(message.getClass());
        if (handler == null) {
            metrics.handled(type, 0, false);
            if (expectsResponse) {
                connection.respondError(frame.requestId(), new RpcError(ErrorCode.NO_HANDLER,
                        "no handler for " + message.getClass().getName(), 0));
            } else {
                log.warn("no handler for one-way {} from {}", message.getClass().getName(), connection.remoteAddress());
            }
            return;
        }
        long start = System.nanoTime();
        Object result;
        try {
            result = handler.handle(connection, message);
        } catch (Throwable t) {
            finish(frame, type, start, null, t);
            return;
        }
        if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((value, error) -> finish(frame, type, start, value, error));
        } else {
            finish(frame, type, start, result, null);
        }
    }

    private void finish(Frame frame, String type, long startNanos, Object value, Throwable error) {
        metrics.handled(type, System.nanoTime() - startNanos, error == null);
        boolean expectsResponse = frame.type() == FrameType.REQUEST;
        if (error == null) {
            if (expectsResponse) {
                connection.respond(frame.requestId(), value);
            }
            return;
        }
        RpcError rpcError = toRpcError(type, error);
        if (expectsResponse) {
            connection.respondError(frame.requestId(), rpcError);
        } else {
            log.warn("one-way {} from {} failed: {}", type, connection.remoteAddress(), rpcError);
        }
    }

    private RpcError toRpcError(String type, Throwable error) {
        RpcError expected = RpcException.expectedError(error);
        if (expected != null) {
            return expected;
        }
        log.error("handler for {} from {} failed", type, connection.remoteAddress(), error);
        return new RpcError(ErrorCode.SERVER_ERROR, type + " failed: " + error, 0);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                metrics.idleClose();
                log.info("closing {}: nothing received within the idle timeout", connection);
                ctx.close();
            } else if (idle.state() == IdleState.WRITER_IDLE && sendHeartbeats) {
                ctx.writeAndFlush(Frame.heartbeat());
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        FrameException frameError = cause instanceof FrameException f ? f
                : cause.getCause() instanceof FrameException f2 ? f2 : null;
        if (frameError != null) {
            metrics.protocolError();
            log.warn("closing {}: {}", connection, frameError.getMessage());
            // Tell the peer why, then close: the stream cannot be re-synchronised.
            connection.respondError(0, new RpcError(frameError.code, frameError.getMessage(), 0))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String tls = dev.registry.common.tls.TlsContext.describeFailure(cause);
        if (tls != null) {
            metrics.protocolError();
            log.info("closing {}: {}", connection, tls);
            ctx.close();
            return;
        }
        if (cause instanceof IOException) {
            log.debug("I/O error on {}: {}", connection, cause.toString());
        } else {
            log.warn("closing {} after unexpected error", connection, cause);
        }
        ctx.close();
    }
}
