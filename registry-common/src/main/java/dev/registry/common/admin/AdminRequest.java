package dev.registry.common.admin;

import java.util.Map;

/**
 * One parsed admin request. It carries no Authorization header: the server checks the token of
 * a mutation before it builds the request, so no route ever holds (or could log) the secret.
 *
 * @param authorized the caller presented the admin token: reads may show what only an admin may
 *                   see (registerIds, client ids)
 */
public record AdminRequest(String method, String path, Map<String, String> query, String body, boolean authorized) {

    /** A request without the admin token. */
    public AdminRequest(String method, String path, Map<String, String> query, String body) {
        this(method, path, query, body, false);
    }

    public String param(String name) {
        String v = query.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    public String requireParam(String name) {
        String v = param(name);
        if (v == null) {
            throw new IllegalArgumentException("missing query parameter '" + name + "'");
        }
        return v;
    }

    /** A required parameter that must be an IPv4 or IPv6 address (a 400 naming it otherwise). */
    public String requireIpParam(String name) {
        String ip = requireParam(name);
        if (!com.google.common.net.InetAddresses.isInetAddress(ip)) {
            throw new IllegalArgumentException(name + " must be an IPv4 or IPv6 address, got '" + ip + "'");
        }
        return ip;
    }

    public int intParam(String name, int defaultValue, int min, int max) {
        String v = param(name);
        if (v == null) {
            return defaultValue;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("query parameter '" + name + "' must be an integer, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("query parameter '" + name + "' must be in [" + min + ", " + max + "], got " + n);
        }
        return n;
    }
}
