package dev.registry.meta.store;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * Databases for tests: an H2 file in a temporary folder, and a fresh schema on a real
 * PostgreSQL server. The server is {@code REGISTRY_TEST_PG_URL} (with {@code
 * REGISTRY_TEST_PG_USER} / {@code REGISTRY_TEST_PG_PASSWORD}), which {@code .ci/run} exports,
 * else {@code jdbc:postgresql://127.0.0.1:5432/registry} as postgres/postgres. When the server
 * cannot be reached the test FAILS if {@code CI} or {@code REGISTRY_TEST_PG_URL} is set, and is
 * skipped otherwise (a developer machine without PostgreSQL).
 */
public final class TestDatabases {
    public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/registry";

    private TestDatabases() {
    }

    public static MetaDatabase h2File(Path dir) {
        return new MetaDatabase("jdbc:h2:file:" + dir.resolve("meta").toAbsolutePath(), "sa", "");
    }

    /** A new, empty schema of its own on the test PostgreSQL server; drop it with {@link #drop}. */
    public static MetaDatabase postgres() {
        String url = env("REGISTRY_TEST_PG_URL", DEFAULT_PG_URL);
        String user = env("REGISTRY_TEST_PG_USER", "postgres");
        String password = env("REGISTRY_TEST_PG_PASSWORD", "postgres");
        String schema = "registry_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String message = "PostgreSQL for tests is not reachable at " + url + " as " + user + ": " + e.getMessage()
                    + " (.ci/run installs and starts it; locally: apt-get install postgresql, pg_ctlcluster <version> "
                    + "main start, and create database 'registry' with password 'postgres' for user postgres)";
            if (System.getenv("CI") != null || System.getenv("REGISTRY_TEST_PG_URL") != null) {
                throw new AssertionError(message, e);
            }
            Assumptions.abort(message);
        }
        return new MetaDatabase(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password);
    }

    /** Drops a schema made by {@link #postgres()}; does nothing for other databases. */
    public static void drop(MetaDatabase db) {
        if (db == null || db.dialect() != SqlDialect.POSTGRESQL) {
            return;
        }
        String schema = db.url().replaceAll(".*currentSchema=([a-z0-9_]+).*", "$1");
        String base = db.url().replaceAll("[?&]currentSchema=[a-z0-9_]+", "");
        try (Connection c = DriverManager.getConnection(base, db.user(), db.password()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new AssertionError("cannot drop test schema " + schema + ": " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
