package dev.registry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The admin HTTP side of the CLI (a mixin): where a node's admin API is ({@code --admin URL},
 * default {@code http://127.0.0.1:9603}, a session's), the token for mutations (from
 * {@code REGISTRY_ADMIN_TOKEN} or {@code --token-file}; never from the command line, where
 * {@code ps} would show it), the CA for HTTPS, and whether to print JSON.
 */
final class Admin {
    static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--admin", paramLabel = "URL", defaultValue = "${env:REGISTRY_ADMIN_URL:-http://127.0.0.1:9603}",
            description = "admin API of the node to ask: http(s)://HOST:PORT (default: ${DEFAULT-VALUE}; "
                    + "env REGISTRY_ADMIN_URL)")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE", description = "file holding the admin token (default: "
            + "env REGISTRY_ADMIN_TOKEN)")
    Path tokenFile;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "CA (PEM) to verify an HTTPS admin port with")
    Path tlsCa;

    @Option(names = "--json", description = "print the node's JSON answer instead of a table")
    boolean json;

    /** GET of a path; the parsed JSON answer. */
    JsonNode get(String path) {
        return parse(send(HttpRequest.newBuilder(uri(path)).GET(), false));
    }

    /** POST of a path with the admin token; the parsed JSON answer. */
    JsonNode post(String path) {
        return parse(send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()), true));
    }

    String base() {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!u.startsWith("http://") && !u.startsWith("https://")) {
            u = "http://" + u;
        }
        return u;
    }

    private URI uri(String path) {
        try {
            return URI.create(base() + path);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(CliFailure.USAGE, "--admin " + url + " is not a URL: " + e.getMessage());
        }
    }

    private String send(HttpRequest.Builder request, boolean withToken) {
        if (withToken) {
            request.header("Authorization", "Bearer " + token());
        }
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tlsCa != null) {
            client.sslContext(dev.registry.common.tls.TlsContext.forClient(
                    dev.registry.common.tls.TlsSettings.client(tlsCa)).sslContext());
        }
        HttpResponse<String> answer;
        try {
            answer = client.build().send(request.timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new CliFailure(CliFailure.UNREACHABLE, "cannot reach " + base() + " (" + e.getClass().getSimpleName() + ")");
        } catch (IOException e) {
            throw new CliFailure(CliFailure.UNREACHABLE, "cannot reach " + base() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(CliFailure.FAILED, "interrupted");
        }
        int status = answer.statusCode();
        if (status == 401 || status == 403) {
            throw new CliFailure(CliFailure.DENIED, "refused by " + base() + " (" + status + "): " + message(answer.body()));
        }
        if (status >= 400) {
            throw new CliFailure(CliFailure.FAILED, base() + " answered " + status + ": " + message(answer.body()));
        }
        return answer.body();
    }

    private String token() {
        String token;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new CliFailure(CliFailure.USAGE, "cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        } else {
            token = System.getenv("REGISTRY_ADMIN_TOKEN");
        }
        if (token == null || token.isBlank()) {
            throw new CliFailure(CliFailure.DENIED, "this action needs the admin token: set REGISTRY_ADMIN_TOKEN or "
                    + "--token-file FILE");
        }
        return token;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new CliFailure(CliFailure.FAILED, "the answer is not JSON: " + abbreviate(body));
        }
    }

    private static String message(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("error")) {
                JsonNode e = n.get("error");
                return e.isTextual() ? e.asText() : e.path("message").asText(e.toString());
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: show the text
        }
        return abbreviate(body);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String one = s.strip().replace('\n', ' ');
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** Prints a JSON answer as the node gave it (pretty). */
    static void printJson(java.io.PrintWriter out, JsonNode node) {
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            out.flush();
        } catch (IOException e) {
            throw new CliFailure(CliFailure.FAILED, e.getMessage());
        }
    }
}
