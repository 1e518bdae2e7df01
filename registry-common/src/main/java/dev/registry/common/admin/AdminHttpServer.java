package dev.registry.common.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin HTTP endpoint of one role: exact-path routes answering JSON (or text). Small and
 * dependency-free (JDK HttpServer); handlers get parsed query parameters and return an
 * {@link AdminResponse}. Bad parameters become 400 with a message, never a 500 stack trace.
 */
public final class AdminHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_BODY_BYTES = 64 * 1024;

    /** Handles one request. */
    @FunctionalInterface
    public interface Route {
        AdminResponse handle(AdminRequest request) throws Exception;
    }

    private final String name;
    private final byte[] token;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Set<String> mutations = ConcurrentHashMap.newKeySet();
    /** Classpath folder of the web console's files, or null: {@code /console/} is not served. */
    private volatile String consoleRoot;
    /** The only console file names served: no folders, no dots but the extension's (no traversal). */
    private static final java.util.regex.Pattern CONSOLE_FILE = java.util.regex.Pattern.compile("[a-z0-9-]+\\.(html|js|css|svg)");
    private static final Map<String, String> CONSOLE_TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");
    /** The console's page runs only its own files and talks only to this port. */
    private static final String CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private volatile HttpServer server;
    private ExecutorService executor;
    /** HTTPS with this node's certificate, or null (plain HTTP). */
    private final dev.registry.common.tls.TlsContext tls;
    private java.util.concurrent.ScheduledExecutorService tlsReload;

    /** An endpoint without mutations (no token). */
    public AdminHttpServer(String name) {
        this(name, null);
    }

    /**
     * @param adminToken bearer token that mutating endpoints require; null or empty disables them
     *                   (they answer 403). Never logged.
     */
    public AdminHttpServer(String name, String adminToken) {
        this(name, adminToken, null);
    }

    /**
     * @param tls serve HTTPS with this certificate (the admin token then never travels in clear);
     *            null: plain HTTP
     */
    public AdminHttpServer(String name, String adminToken, dev.registry.common.tls.TlsSettings tls) {
        this.tls = tls == null ? null : dev.registry.common.tls.TlsContext.forServer(
                new dev.registry.common.tls.TlsSettings(tls.certificate(), tls.privateKey(), null));
        this.name = name;
        this.token = adminToken == null || adminToken.isEmpty() ? null : adminToken.getBytes(StandardCharsets.UTF_8);
    }

    public AdminHttpServer get(String path, Route route) {
        routes.put("GET " + path, route);
        return this;
    }

    /**
     * A state-changing endpoint: POST only, and only with {@code Authorization: Bearer <token>}.
     * The token is checked before anything of the request is parsed: a caller without it learns
     * nothing about its parameters (401, never a 400).
     */
    public AdminHttpServer post(String path, Route route) {
        routes.put("POST " + path, route);
        mutations.add("POST " + path);
        return this;
    }

    /**
     * Serves the read-only-by-default web console (docs/console.md) under {@code /console/}: its
     * static files from the classpath folder {@code console/} ({@code /console/} is its
     * {@code index.html}). The page calls this port's JSON endpoints; mutations still need the token.
     */
    public AdminHttpServer serveConsole() {
        return serveConsole("console");
    }

    /** As {@link #serveConsole()}, from another classpath folder. */
    public AdminHttpServer serveConsole(String classpathFolder) {
        this.consoleRoot = classpathFolder;
        return this;
    }

    /** The refusal of a mutation for this Authorization header, or null if it may go on. */
    private AdminResponse refusal(String authorization) {
        if (token == null) {
            return AdminResponse.error(403, "mutating admin endpoints are disabled: configure an admin token");
        }
        if (!authorized(authorization)) {
            return AdminResponse.error(401, "missing or wrong bearer token");
        }
        return null;
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return java.security.MessageDigest.isEqual(given, token); // constant time
    }

    public synchronized InetSocketAddress start(String host, int port) {
        try {
            if (tls != null) {
                com.sun.net.httpserver.HttpsServer https =
                        com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(host, port), 64);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls.sslContext()));
                server = https;
            } else {
                server = HttpServer.create(new InetSocketAddress(host, port), 64);
            }
        } catch (IOException e) {
            throw new IllegalStateException(name + " admin HTTP cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, name + "-admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        if (tls != null) {
            // A renewed certificate is served to new connections within 10 s, without a restart.
            tlsReload = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name + "-admin-tls-reload");
                t.setDaemon(true);
                return t;
            });
            tlsReload.scheduleWithFixedDelay(tls::reloadIfChanged, 10, 10, java.util.concurrent.TimeUnit.SECONDS);
        }
        server.createContext("/", this::dispatch);
        server.start();
        log.info("{} admin {} listening on {}", name, tls == null ? "HTTP" : "HTTPS", server.getAddress());
        return server.getAddress();
    }

    /**
     * Where other nodes reach this admin port: its own bind host, unless that is a wildcard or
     * the node's RPC bind host (then the host the node advertises), and the bound port.
     */
    public String advertisedAddress(String adminBindHost, String rpcBindHost, String advertiseHost) {
        boolean wildcard = adminBindHost.equals("0.0.0.0") || adminBindHost.equals("::") || adminBindHost.equals("[::]");
        boolean ownHost = !adminBindHost.equals(rpcBindHost);
        return (ownHost && !wildcard ? adminBindHost : advertiseHost) + ":" + port();
    }

    /** The bound port; -1 before {@link #start} and after {@link #close}. */
    public int port() {
        HttpServer s = server;
        return s == null ? -1 : s.getAddress().getPort();
    }

    private void dispatch(HttpExchange exchange) {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String method = exchange.getRequestMethod();
            String key = method + " " + uri.getPath();
            if (consoleRoot != null && (uri.getPath().equals("/console") || uri.getPath().startsWith("/console/"))) {
                serveConsoleFile(exchange, method, uri.getPath());
                return;
            }
            Route route = routes.get(key);
            AdminResponse response;
            AdminResponse refused = mutations.contains(key)
                    ? refusal(exchange.getRequestHeaders().getFirst("Authorization")) : null;
            if (refused != null) {
                response = refused;
            } else if (route == null) {
                boolean otherMethod = routes.keySet().stream().anyMatch(k -> k.endsWith(" " + uri.getPath()));
                response = otherMethod
                        ? AdminResponse.error(405, "method " + method + " not allowed on " + uri.getPath())
                        : AdminResponse.error(404, "no such endpoint: " + uri.getPath());
            } else {
                try {
                    AdminRequest request = new AdminRequest(method, uri.getPath(), parseQuery(uri.getRawQuery()),
                            readBody(exchange.getRequestBody()),
                            token != null && authorized(exchange.getRequestHeaders().getFirst("Authorization")));
                    response = route.handle(request);
                } catch (IllegalArgumentException e) {
                    response = AdminResponse.error(400, e.getMessage());
                } catch (Exception e) {
                    dev.registry.common.rpc.RpcException rpc = dev.registry.common.rpc.RpcException.unwrap(e);
                    if (rpc != null) {
                        // The cluster could not answer right now (failover, timeout): retryable, not a bug.
                        send(exchange, AdminResponse.error(503, rpc.getMessage()));
                        return;
                    }
                    log.error("admin {} {} failed", method, uri.getPath(), e);
                    response = AdminResponse.error(500, "internal error: " + e.getClass().getSimpleName());
                }
            }
            send(exchange, response);
        } catch (IOException e) {
            log.debug("admin client went away: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("admin request failed", e);
        }
    }

    private void serveConsoleFile(HttpExchange exchange, String method, String path) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            send(exchange, AdminResponse.error(405, "method " + method + " not allowed on " + path));
            return;
        }
        if (path.equals("/console")) {
            exchange.getResponseHeaders().set("Location", "/console/");
            exchange.sendResponseHeaders(301, -1);
            return;
        }
        String name = path.substring("/console/".length());
        if (name.isEmpty()) {
            name = "index.html";
        }
        byte[] body = null;
        if (CONSOLE_FILE.matcher(name).matches()) {
            try (InputStream in = AdminHttpServer.class.getClassLoader().getResourceAsStream(consoleRoot + "/" + name)) {
                body = in == null ? null : in.readAllBytes();
            }
        }
        if (body == null) {
            send(exchange, AdminResponse.error(404, "no such console file: " + name));
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", CONSOLE_TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
        headers.set("Cache-Control", "no-cache");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Content-Security-Policy", CONSOLE_CSP);
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, AdminResponse response) throws IOException {
        byte[] body;
        String contentType;
        if (response.body() instanceof String text && response.contentType() != null) {
            body = text.getBytes(StandardCharsets.UTF_8);
            contentType = response.contentType();
        } else {
            body = JSON.writeValueAsBytes(response.body());
            contentType = "application/json";
        }
        exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Query string to map; a repeated key keeps its last value; bad escapes are a 400. */
    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        if (tlsReload != null) {
            tlsReload.shutdownNow();
        }
    }
}
