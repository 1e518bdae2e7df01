package dev.registry.common.rpc;

import io.netty.channel.local.LocalAddress;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The servers of this process that take in-process connections ({@link RpcConfig#inProcess()}),
 * by the address they listen on. A client of the same process connecting to one of those
 * addresses gets a Netty local channel instead of a socket: no system calls, no frame codec, and
 * messages the serializer calls immutable ({@code Serializer.passesInProcess}) handed over as the
 * object itself. That is the all-in-one's session → data leader → session path, which otherwise
 * encodes and decodes every registration and every push round's values inside one JVM.
 *
 * <p>A server listening on every interface is reached this way only through an address of this
 * host; any other host with the same port is a remote server and gets a socket as always.
 */
public final class InProcessLinks {
    private static final String ANY_HOST = "*";
    private static final Map<String, LocalAddress> ENDPOINTS = new ConcurrentHashMap<>();

    private InProcessLinks() {
    }

    static void register(InetSocketAddress bound, LocalAddress local) {
        ENDPOINTS.put(key(bound), local);
    }

    static void unregister(InetSocketAddress bound, LocalAddress local) {
        ENDPOINTS.remove(key(bound), local);
    }

    /** The in-process endpoint of a server of this process listening on {@code host:port}, or null. */
    static LocalAddress lookup(String host, int port) {
        if (ENDPOINTS.isEmpty()) {
            return null;
        }
        LocalAddress exact = ENDPOINTS.get(host + ":" + port);
        if (exact != null) {
            return exact;
        }
        try {
            InetAddress target = InetAddress.getByName(host);
            LocalAddress byAddress = ENDPOINTS.get(target.getHostAddress() + ":" + port);
            if (byAddress != null) {
                return byAddress;
            }
            LocalAddress wildcard = ENDPOINTS.get(ANY_HOST + ":" + port);
            return wildcard != null && isThisHost(target) ? wildcard : null;
        } catch (UnknownHostException | SocketException e) {
            return null; // the socket connect reports it
        }
    }

    /** Whether a client of this process connecting to {@code host:port} gets an in-process link. */
    public static boolean serves(String host, int port) {
        return lookup(host, port) != null;
    }

    private static boolean isThisHost(InetAddress a) throws SocketException {
        return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
    }

    private static String key(InetSocketAddress bound) {
        InetAddress a = bound.getAddress();
        String host = a == null ? bound.getHostString() : a.isAnyLocalAddress() ? ANY_HOST : a.getHostAddress();
        return host + ":" + bound.getPort();
    }
}
