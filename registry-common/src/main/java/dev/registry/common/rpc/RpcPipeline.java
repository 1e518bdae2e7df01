package dev.registry.common.rpc;

import com.google.common.util.concurrent.MoreExecutors;
import dev.registry.common.serialize.Serializer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Builds the one pipeline every connection uses, on either side. */
final class RpcPipeline {
    /** Flush at least this often even while a read burst keeps writing (bounds latency and buffered bytes). */
    private static final int FLUSH_AFTER_WRITES = 64;

    private RpcPipeline() {
    }

    static RpcConnection install(Channel ch, RpcConfig config, Serializer serializer, HandlerRegistry handlers,
                                 ConnectionListener listener, Executor workers, RpcMetrics metrics) {
        return install(ch, config, serializer, handlers, listener, workers, metrics, null);
    }

    /** As above, behind TLS when {@code tls} is given (its handler first in the pipeline). */
    static RpcConnection install(Channel ch, RpcConfig config, Serializer serializer, HandlerRegistry handlers,
                                 ConnectionListener listener, Executor workers, RpcMetrics metrics,
                                 io.netty.handler.ssl.SslHandler tls) {
        if (tls != null) {
            ch.pipeline().addLast("tls", tls);
        }
        boolean sendHeartbeats = !config.heartbeatInterval().isZero();
        ch.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(config.writeBufferHighBytes() / 2, config.writeBufferHighBytes()));
        // Requests of one connection are handled in arrival order, connections in parallel.
        RpcConnection connection = new RpcConnection(ch, serializer, config,
                MoreExecutors.newSequentialExecutor(workers));
        ch.pipeline()
                // Many threads write to one connection (responses, pushes, many calls in flight): their
                // flushes are merged into one write syscall per event-loop turn instead of one each.
                .addLast("flush", new FlushConsolidationHandler(FLUSH_AFTER_WRITES, true))
                .addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(),
                        sendHeartbeats ? config.heartbeatInterval().toMillis() : 0, 0, TimeUnit.MILLISECONDS))
                .addLast("frameDecoder", new FrameDecoder(config.maxFrameBytes()))
                .addLast("frameEncoder", FrameEncoder.INSTANCE)
                .addLast("rpc", new RpcChannelHandler(connection, handlers, listener, sendHeartbeats, metrics));
        if (ch instanceof io.netty.channel.local.LocalChannel) {
            // In-process: frames travel as objects, never as bytes.
            ch.pipeline().remove("frameDecoder");
            ch.pipeline().remove("frameEncoder");
        }
        return connection;
    }
}
