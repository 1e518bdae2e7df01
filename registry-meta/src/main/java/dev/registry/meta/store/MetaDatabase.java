package dev.registry.meta.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * How to reach the meta database: a JDBC URL ({@code jdbc:h2:} or {@code jdbc:postgresql:}),
 * a user and a password. {@link #toString()} and {@link #redactedUrl()} never show the password.
 */
public record MetaDatabase(String url, String user, String password) {
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&;]*");

    public MetaDatabase {
        Objects.requireNonNull(url, "url");
        SqlDialect.of(url); // fails early on an unsupported database
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /**
     * An embedded H2 file database that several meta processes on one host can share: the first
     * to open it serves it to the others (H2's AUTO_SERVER mode), and another one takes over
     * the file when that process dies.
     */
    public static MetaDatabase h2File(Path file) {
        String path = file.toString();
        if (!file.isAbsolute() && !path.startsWith(".")) {
            path = "./" + path; // H2 wants relative paths spelled with ./
        }
        // (H2 refuses DB_CLOSE_ON_EXIT=FALSE with AUTO_SERVER: its shutdown hook closes the file as soon
        // as the JVM shuts down. The launcher therefore stops the node on SIGTERM/SIGINT itself, before
        // the JVM's shutdown, so the meta releases its lease first: see registry-server GracefulStop.)
        return new MetaDatabase("jdbc:h2:file:" + path + ";AUTO_SERVER=TRUE", "sa", "");
    }

    /** A private in-memory H2 database: nothing survives the process (tests, throw-away nodes). */
    public static MetaDatabase h2InMemory() {
        return new MetaDatabase("jdbc:h2:mem:registry-meta-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    public SqlDialect dialect() {
        return SqlDialect.of(url);
    }

    /** The URL with any {@code password=} parameter masked. */
    public String redactedUrl() {
        return PASSWORD_IN_URL.matcher(url).replaceAll("$1***");
    }

    @Override
    public String toString() {
        return "MetaDatabase[" + redactedUrl() + ", user=" + user + "]";
    }
}
