package dev.registry.common.rpc;

import java.time.Duration;

/**
 * Transport settings shared by servers and clients.
 *
 * @param maxFrameBytes     hard maximum of one frame (header + body); larger frames close the connection
 * @param heartbeatInterval how often a side that sends heartbeats sends one when it wrote nothing; zero = never
 * @param idleTimeout       a connection that received nothing for this long is closed
 * @param connectTimeout    TCP connect timeout for clients
 * @param callTimeout       default timeout of a request/response call
 * @param workerThreads     threads running request handlers (per server or client)
 * @param writeBufferHighBytes  outbound buffer above which the channel reports unwritable
 * @param maxQueuedPerConnection requests of one connection waiting for a handler, at most (0 = no limit);
 *                          above it a request is answered UNAVAILABLE ("retry") instead of queued without end
 * @param maxConnections    connections a server accepts at once (0 = no limit); above it a new one is closed
 * @param tls               TLS of the connections (null: plain TCP): a server's certificate, a client's trusted CA
 * @param inProcess         a server also takes connections from clients in its own process without
 *                          sockets, passing immutable messages as objects ({@link InProcessLinks}):
 *                          for the roles of one all-in-one process
 */
public record RpcConfig(int maxFrameBytes, Duration heartbeatInterval, Duration idleTimeout,
                        Duration connectTimeout, Duration callTimeout, int workerThreads,
                        int writeBufferHighBytes, int maxQueuedPerConnection, int maxConnections,
                        dev.registry.common.tls.TlsSettings tls, boolean inProcess) {

    /** Not reachable in-process. */
    public RpcConfig(int maxFrameBytes, Duration heartbeatInterval, Duration idleTimeout,
                     Duration connectTimeout, Duration callTimeout, int workerThreads, int writeBufferHighBytes,
                     int maxQueuedPerConnection, int maxConnections, dev.registry.common.tls.TlsSettings tls) {
        this(maxFrameBytes, heartbeatInterval, idleTimeout, connectTimeout, callTimeout, workerThreads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, tls, false);
    }

    /** Plain TCP. */
    public RpcConfig(int maxFrameBytes, Duration heartbeatInterval, Duration idleTimeout,
                     Duration connectTimeout, Duration callTimeout, int workerThreads, int writeBufferHighBytes,
                     int maxQueuedPerConnection, int maxConnections) {
        this(maxFrameBytes, heartbeatInterval, idleTimeout, connectTimeout, callTimeout, workerThreads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, null);
    }

    /** Without queue or connection limits (role-to-role links: their peers are the cluster's own). */
    public RpcConfig(int maxFrameBytes, Duration heartbeatInterval, Duration idleTimeout,
                     Duration connectTimeout, Duration callTimeout, int workerThreads, int writeBufferHighBytes) {
        this(maxFrameBytes, heartbeatInterval, idleTimeout, connectTimeout, callTimeout, workerThreads,
                writeBufferHighBytes, 0, 0);
    }

    public static final int DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

    public RpcConfig {
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 1024: " + maxFrameBytes);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive");
        }
        if (!heartbeatInterval.isZero() && heartbeatInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval
                    + ") must be shorter than idleTimeout (" + idleTimeout + ")");
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("workerThreads must be positive");
        }
        if (maxQueuedPerConnection < 0 || maxConnections < 0) {
            throw new IllegalArgumentException("maxQueuedPerConnection and maxConnections must be 0 (no limit) or "
                    + "positive: " + maxQueuedPerConnection + ", " + maxConnections);
        }
    }

    /** Defaults for servers: they answer heartbeats and close idle peers, but do not send heartbeats. */
    public static RpcConfig serverDefaults() {
        return new RpcConfig(DEFAULT_MAX_FRAME_BYTES, Duration.ZERO, Duration.ofSeconds(15),
                Duration.ofSeconds(3), Duration.ofSeconds(5), Math.max(4, Runtime.getRuntime().availableProcessors() * 2),
                4 * 1024 * 1024);
    }

    /** Defaults for clients: heartbeat every 3 s, give up on a silent server after 15 s. */
    public static RpcConfig clientDefaults() {
        return new RpcConfig(DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(3), Duration.ofSeconds(15),
                Duration.ofSeconds(3), Duration.ofSeconds(5), 2, 4 * 1024 * 1024);
    }

    public RpcConfig withMaxFrameBytes(int bytes) {
        return new RpcConfig(bytes, heartbeatInterval, idleTimeout, connectTimeout, callTimeout, workerThreads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, tls, inProcess);
    }

    public RpcConfig withHeartbeat(Duration interval, Duration idle) {
        return new RpcConfig(maxFrameBytes, interval, idle, connectTimeout, callTimeout, workerThreads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, tls, inProcess);
    }

    public RpcConfig withCallTimeout(Duration timeout) {
        return new RpcConfig(maxFrameBytes, heartbeatInterval, idleTimeout, connectTimeout, timeout, workerThreads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, tls, inProcess);
    }

    public RpcConfig withConnectTimeout(Duration timeout) {
        return new RpcConfig(maxFrameBytes, heartbeatInterval, idleTimeout, timeout, callTimeout, workerThreads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, tls, inProcess);
    }

    public RpcConfig withWorkerThreads(int threads) {
        return new RpcConfig(maxFrameBytes, heartbeatInterval, idleTimeout, connectTimeout, callTimeout, threads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, tls, inProcess);
    }

    public RpcConfig withLimits(int queuedPerConnection, int connections) {
        return new RpcConfig(maxFrameBytes, heartbeatInterval, idleTimeout, connectTimeout, callTimeout, workerThreads,
                writeBufferHighBytes, queuedPerConnection, connections, tls, inProcess);
    }

    public RpcConfig withTls(dev.registry.common.tls.TlsSettings settings) {
        return new RpcConfig(maxFrameBytes, heartbeatInterval, idleTimeout, connectTimeout, callTimeout, workerThreads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, settings, inProcess);
    }

    public RpcConfig withInProcess(boolean on) {
        return new RpcConfig(maxFrameBytes, heartbeatInterval, idleTimeout, connectTimeout, callTimeout, workerThreads,
                writeBufferHighBytes, maxQueuedPerConnection, maxConnections, tls, on);
    }
}
