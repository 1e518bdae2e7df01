package dev.registry.meta.store;

/** The few SQL differences between the supported databases. */
public enum SqlDialect {
    H2("CLOB"),
    POSTGRESQL("TEXT");

    private final String textType;

    SqlDialect(String textType) {
        this.textType = textType;
    }

    /** Column type for a JSON document of any length. */
    public String textType() {
        return textType;
    }

    /** The database's clock in epoch millis, read inside the transaction (leases use it, not the nodes' clocks). */
    public String nowMillisQuery() {
        return "SELECT CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";
    }

    public static SqlDialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported meta database URL '" + jdbcUrl.replaceAll("[?;].*", "")
                + "': use jdbc:h2:... (embedded) or jdbc:postgresql://host:port/database");
    }
}
