package dev.registry.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.registry.bench.FlapDemo.daemon;

/**
 * A TCP proxy in front of one address that can cut every link abruptly: a reset aborts both
 * sockets of every proxied connection (SO_LINGER 0, so both peers see RST rather than an
 * orderly close), and while refusing, every new connection is reset as soon as it is accepted.
 * {@link FlapDemo} puts it between the flapping provider and the session.
 *
 * <p>Threading: one daemon thread accepts, two per proxied connection copy the bytes;
 * {@link #resetAndRefuse()}, {@link #accept()} and {@link #close()} may be called from any thread.
 */
final class ResettingProxy implements Closeable {
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean refusing;
    private volatile boolean closed;

    ResettingProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("proxy-accept", this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Aborts every proxied connection and resets new ones until {@link #accept()}. */
    void resetAndRefuse() {
        refusing = true; // first: a connection set up concurrently then sees it and aborts itself
        open.forEach(ResettingProxy::abort);
    }

    /** Lets new connections through again. */
    void accept() {
        refusing = false;
    }

    @Override
    public void close() {
        closed = true;
        refusing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(ResettingProxy::abort);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket downstream;
            try {
                downstream = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (refusing) {
                abort(downstream);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2000);
            } catch (IOException e) {
                abort(upstream);
                abort(downstream);
                continue;
            }
            open.add(downstream);
            open.add(upstream);
            if (refusing) { // a reset ran while connecting: this link must not survive it
                abort(downstream);
                abort(upstream);
                continue;
            }
            daemon("proxy-up-" + downstream.getPort(), () -> pump(downstream, upstream));
            daemon("proxy-down-" + downstream.getPort(), () -> pump(upstream, downstream));
        }
    }

    /** Copies bytes from one socket to the other; when either side ends, ends both. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        // Not try-with-resources: closing the streams would close the sockets in order
        // before the catch block could abort them.
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            // An orderly close on one side is passed on as an orderly close.
            closeQuietly(from);
            closeQuietly(to);
        } catch (IOException e) {
            // A reset on one side is passed on as a reset.
            abort(from);
            abort(to);
        } finally {
            open.remove(from);
            open.remove(to);
        }
    }

    private static void abort(Socket s) {
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
