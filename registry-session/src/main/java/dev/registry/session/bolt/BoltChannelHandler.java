package dev.registry.session.bolt;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The last handler of a Bolt connection: answers heartbeats, hands responses to the
 * connection's pending pushes and requests to the dispatcher (on the connection's sequential
 * executor, so one client's requests run in arrival order), closes idle and broken streams.
 */
final class BoltChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(BoltChannelHandler.class);

    private final BoltConnection connection;
    private final SofaClientPort port;

    BoltChannelHandler(BoltConnection connection, SofaClientPort port) {
        this.connection = connection;
        this.port = port;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        port.onConnected(connection);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        connection.onClosed();
        port.onDisconnected(connection);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        BoltCommand command = (BoltCommand) msg;
        if (command.isResponse()) {
            if (!command.isHeartbeat()) {
                connection.onResponse(command);
            }
            return;
        }
        if (command.isHeartbeat()) {
            if (command.type() == BoltProtocol.TYPE_REQUEST) {
                connection.heartbeatAck(command.requestId());
            }
            return;
        }
        if (command.cmdCode() != BoltProtocol.CMD_REQUEST) {
            connection.respondError(command, BoltProtocol.Status.ERROR,
                    "command code " + command.cmdCode() + " in a request; requests use 1 (heartbeats 0)");
            return;
        }
        try {
            connection.inbound().execute(() -> port.dispatcher().dispatch(connection, command));
        } catch (RejectedExecutionException e) {
            connection.respondError(command, BoltProtocol.Status.SERVER_THREADPOOL_BUSY, "session is shutting down");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            log.info("closing {}: nothing received within the idle timeout", connection);
            port.countIdleClose();
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        BoltFrameException frameError = cause instanceof BoltFrameException f ? f
                : cause.getCause() instanceof BoltFrameException f2 ? f2 : null;
        if (frameError != null) {
            port.countProtocolError();
            log.warn("closing {}: {}", connection, frameError.getMessage());
            connection.failAndClose(frameError.requestId, frameError.getMessage());
            return;
        }
        String tls = dev.registry.common.tls.TlsContext.describeFailure(cause);
        if (tls != null) {
            port.countProtocolError();
            log.info("closing {}: {}", connection, tls);
        } else if (cause instanceof IOException) {
            log.debug("I/O error on {}: {}", connection, cause.toString());
        } else {
            log.warn("closing {} after unexpected error", connection, cause);
        }
        ctx.close();
    }
}
