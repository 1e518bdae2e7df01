package dev.registry.session.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registry.common.tls.TlsContext;
import dev.registry.common.tls.TlsSettings;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Calls other nodes' admin ports (sessions, data servers, meta) for the console's cluster-wide
 * reads and the actions it forwards. HTTPS when this node's admin port speaks it; with cluster
 * TLS the peers are trusted by the cluster CA.
 */
public final class PeerAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** Plain HTTP: one per JVM (HttpClient has no close() on Java 17, and its threads are shared). */
    private static final class Plain {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    private final TlsSettings adminTls;
    private final TlsSettings clusterTls;
    private volatile HttpClient https;

    /**
     * @param adminTls   what this node's admin port serves HTTPS with (null: peers speak HTTP)
     * @param clusterTls the cluster's mutual TLS (its CA verifies peers), or null
     */
    public PeerAdmin(TlsSettings adminTls, TlsSettings clusterTls) {
        this.adminTls = adminTls;
        this.clusterTls = clusterTls;
    }

    private HttpClient client() {
        if (adminTls == null) {
            return Plain.CLIENT;
        }
        HttpClient c = https;
        if (c == null) {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(TIMEOUT);
            if (clusterTls != null) {
                b.sslContext(TlsContext.forClient(clusterTls).sslContext());
            }
            c = b.build();
            https = c;
        }
        return c;
    }

    private URI uri(String adminAddress, String pathAndQuery) {
        return URI.create((adminTls == null ? "http://" : "https://") + adminAddress + pathAndQuery);
    }

    /** GET a JSON answer; fails with a {@link PeerFailure} for a non-200 status. */
    public CompletableFuture<JsonNode> get(String adminAddress, String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(adminAddress, pathAndQuery)).timeout(TIMEOUT).GET().build());
    }

    /** POST with the admin token; fails with a {@link PeerFailure} for a non-200 status. The token is never logged. */
    public CompletableFuture<JsonNode> post(String adminAddress, String pathAndQuery, String adminToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(adminAddress, pathAndQuery)).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (adminToken != null) {
            b.header("Authorization", "Bearer " + adminToken);
        }
        return send(b.build());
    }

    private CompletableFuture<JsonNode> send(HttpRequest request) {
        return client().sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (Exception e) {
                throw new PeerFailure(response.statusCode(), "not JSON: " + e.getMessage());
            }
            if (response.statusCode() != 200) {
                throw new PeerFailure(response.statusCode(), body.path("error").asText("HTTP " + response.statusCode()));
            }
            return body;
        });
    }

    /** Why a peer call failed, in a line for an operator. */
    public static String describe(Throwable t) {
        Throwable cause = t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException
                ? t.getCause() : t;
        if (cause instanceof PeerFailure f) {
            return "error " + f.status + ": " + f.getMessage();
        }
        if (cause instanceof java.net.http.HttpTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            return "unreachable: timed out";
        }
        return "unreachable: " + (cause == null ? t : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
    }

    /** A peer answered with an error status. */
    public static final class PeerFailure extends RuntimeException {
        private final int status;

        PeerFailure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
