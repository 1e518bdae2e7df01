package dev.registry.server.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy that injects faults between a client and a server: reset every connection,
 * delay every chunk, or blackhole traffic (connections stay open and nothing passes either
 * way, not even a close: a silent network or a peer that stopped reading; what was held is
 * delivered when the blackhole ends). Plain blocking sockets, two pump threads per
 * connection; close() stops everything.
 */
public final class FaultyProxy implements AutoCloseable {
    private final ServerSocket listener;
    private volatile InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long delayMillis;
    private volatile boolean blackhole;
    private volatile boolean refusing;
    private final Thread acceptor;

    /** Listens on a free port of 127.0.0.1; {@code targetPort} 0 until {@link #retarget} names the server. */
    public FaultyProxy(int targetPort) throws IOException {
        this(java.net.InetAddress.getLoopbackAddress(), 0, targetPort);
    }

    /** Listens on {@code host:port} (port 0: a free one) and forwards to 127.0.0.1:{@code targetPort}. */
    FaultyProxy(java.net.InetAddress host, int port, int targetPort) throws IOException {
        this.target = new InetSocketAddress("127.0.0.1", targetPort);
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(host, port), 200);
        this.acceptor = new Thread(this::acceptLoop, "proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** New connections go to this port from now on (the server behind restarted elsewhere). */
    public void retarget(int targetPort) {
        this.target = new InetSocketAddress("127.0.0.1", targetPort);
    }

    /** The client address list ("127.0.0.1:P1,127.0.0.1:P2") of these proxies. */
    public static String addresses(java.util.List<FaultyProxy> proxies) {
        StringBuilder b = new StringBuilder();
        for (FaultyProxy p : proxies) {
            b.append(b.length() == 0 ? "" : ",").append("127.0.0.1:").append(p.port());
        }
        return b.toString();
    }

    public int port() {
        return listener.getLocalPort();
    }

    void setDelayMillis(long millis) {
        this.delayMillis = millis;
    }

    void setBlackhole(boolean on) {
        this.blackhole = on;
    }

    /** While on, every new connection is reset at once (the link is down; the client's connect fails fast). */
    public void setRefusing(boolean on) {
        this.refusing = on;
    }

    /** Open proxied connections (each counted once). */
    int connections() {
        return sockets.size() / 2;
    }

    /** Resets every open connection (as a crashed peer or a dropped NAT entry would). */
    public void resetAll() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // already closed
            }
            closeQuietly(s);
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            while (blackhole && !closed.get()) {
                LockSupport.parkNanos(5_000_000); // a silent network: the server sees no new connection either
            }
            if (refusing) {
                try {
                    client.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // closing anyway
                }
                closeQuietly(client);
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(target, 2000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            sockets.add(client);
            sockets.add(server);
            pump(client, server);
            pump(server, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    while (blackhole && !closed.get() && !from.isClosed()) {
                        LockSupport.parkNanos(5_000_000); // hold the bytes: the network is silent
                    }
                    long d = delayMillis;
                    if (d > 0) {
                        LockSupport.parkNanos(d * 1_000_000);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed or was reset
            } finally {
                while (blackhole && !closed.get() && !from.isClosed() && !to.isClosed()) {
                    LockSupport.parkNanos(5_000_000); // the peer's close is a packet too: held until the blackhole ends
                }
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly2(listener);
            for (Socket s : sockets) {
                closeQuietly(s);
            }
        }
    }

    private static void closeQuietly2(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
