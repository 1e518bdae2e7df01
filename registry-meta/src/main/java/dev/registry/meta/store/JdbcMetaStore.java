package dev.registry.meta.store;

import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.common.slot.SlotTable;
import dev.registry.meta.lease.LeaseLostException;
import dev.registry.meta.lease.LeaseRecord;
import dev.registry.meta.lease.LeaseRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * The meta store in a relational database over JDBC: embedded H2 (the default) or PostgreSQL.
 *
 * <p>Two tables, created on start: {@code registry_meta_lease} (one row per lease: holder,
 * term, expiry in database-clock millis) and {@code registry_meta_state} (JSON documents by
 * name: {@code slot-table}, {@code switches}, and {@code schema}, the schema version). Every
 * lease operation is one transaction: lock the row ({@code SELECT ... FOR UPDATE}), read the
 * database clock, apply {@link LeaseRules}, and write with a conditional {@code UPDATE ... WHERE
 * term = ? AND expires_at_ms = ?}. Slot-table writes lock the lease row first and check the
 * writer still holds it in its term, so a deposed leader's write fails.
 *
 * <p>Thread-safe: each call borrows a connection from a small pool; a connection that failed is
 * closed, not reused. Every statement has a timeout.
 */
public final class JdbcMetaStore implements MetaStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcMetaStore.class);
    static final int SCHEMA_VERSION = 1;
    static final String LEASE_NAME = "meta-leader";
    static final String SLOT_TABLE = "slot-table";
    static final String SWITCHES = "switches";
    static final String SCHEMA = "schema";
    private static final int MAX_IDLE_CONNECTIONS = 4;

    private final MetaDatabase database;
    private final SqlDialect dialect;
    private final int timeoutSeconds;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    /**
     * @param operationTimeout bound on each statement, and on connecting and socket reads for
     *                         PostgreSQL (rounded up to whole seconds, the JDBC granularity)
     */
    /** State rows named by this prefix + a meta's address note when that meta last tried the lease. */
    private static final String PRESENCE_PREFIX = "node:";

    public JdbcMetaStore(MetaDatabase database, Duration operationTimeout) {
        this.database = database;
        this.dialect = database.dialect();
        this.timeoutSeconds = (int) Math.max(1, (operationTimeout.toMillis() + 999) / 1000);
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    // ---- schema ----

    @Override
    public void init() {
        SQLException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                createSchema();
                return;
            } catch (SQLException e) {
                // Several metas starting at once can race on CREATE TABLE IF NOT EXISTS; the next try sees the tables.
                last = e;
                log.debug("creating the meta schema failed (attempt {}): {}", attempt, e.getMessage());
            }
        }
        throw new MetaStoreException("cannot prepare the meta database " + database.redactedUrl() + ": "
                + last.getMessage(), last);
    }

    private void createSchema() throws SQLException {
        Connection c = borrow();
        boolean ok = false;
        try {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.setQueryTimeout(timeoutSeconds);
                s.execute("CREATE TABLE IF NOT EXISTS registry_meta_lease ("
                        + "name VARCHAR(64) NOT NULL PRIMARY KEY, "
                        + "holder_id VARCHAR(255), "
                        + "holder_address VARCHAR(255), "
                        + "term BIGINT NOT NULL, "
                        + "expires_at_ms BIGINT NOT NULL, "
                        + "renewed_at_ms BIGINT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS registry_meta_state ("
                        + "name VARCHAR(64) NOT NULL PRIMARY KEY, "
                        + "version BIGINT NOT NULL, "
                        + "term BIGINT NOT NULL, "
                        + "body " + dialect.textType() + " NOT NULL, "
                        + "updated_by VARCHAR(255), "
                        + "updated_at_ms BIGINT NOT NULL)");
            }
            insertIfAbsent(c, "INSERT INTO registry_meta_lease (name, holder_id, holder_address, term, expires_at_ms, "
                    + "renewed_at_ms) VALUES (?, NULL, NULL, 0, 0, 0)", LEASE_NAME);
            insertStateIfAbsent(c, SCHEMA, SCHEMA_VERSION, "{}");
            insertStateIfAbsent(c, SWITCHES, 0, StateJson.switches(new OperationalSwitches(0, List.of(), false)));
            long version = readState(c, SCHEMA, false).version;
            if (version > SCHEMA_VERSION) {
                throw new MetaStoreException("the meta database " + database.redactedUrl() + " has schema version "
                        + version + ", newer than this meta understands (" + SCHEMA_VERSION + "): upgrade this node");
            }
            ok = true;
        } finally {
            giveBack(c, ok);
        }
        log.info("meta database ready: {} (schema version {})", database.redactedUrl(), SCHEMA_VERSION);
    }

    private void insertIfAbsent(Connection c, String insert, String name) throws SQLException {
        if (exists(c, "SELECT 1 FROM registry_meta_lease WHERE name = ?", name)) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement(insert)) {
            p.setQueryTimeout(timeoutSeconds);
            p.setString(1, name);
            p.executeUpdate();
        } catch (SQLException e) {
            if (!isDuplicateKey(e)) {
                throw e;
            }
        }
    }

    private void insertStateIfAbsent(Connection c, String name, long version, String body) throws SQLException {
        if (exists(c, "SELECT 1 FROM registry_meta_state WHERE name = ?", name)) {
            return;
        }
        try {
            insertState(c, name, version, 0, body, null, 0);
        } catch (SQLException e) {
            if (!isDuplicateKey(e)) {
                throw e;
            }
        }
    }

    private boolean exists(Connection c, String query, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(query)) {
            p.setQueryTimeout(timeoutSeconds);
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    private static boolean isDuplicateKey(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    // ---- lease ----

    @Override
    public LeaseRecord acquireOrRenew(String candidateId, String candidateAddress, Duration lease) {
        LeaseRecord answer = inTransaction("acquiring the leader lease", c -> {
            LeaseRecord current = lockLease(c);
            long now = now(c);
            LeaseRecord next = LeaseRules.acquireOrRenew(current, candidateId, candidateAddress, now, lease.toMillis());
            if (next.equals(current)) {
                return current;
            }
            return writeLease(c, current, next, now) ? next : current;
        });
        touchPresence(candidateId, candidateAddress);
        return answer;
    }

    /** Best effort, apart from the lease: a meta that cannot note its presence still leads. */
    private void touchPresence(String candidateId, String candidateAddress) {
        try {
            inTransaction("noting this meta's presence", c -> {
                writeState(c, PRESENCE_PREFIX + candidateAddress, 0, 0, candidateId, candidateAddress, now(c));
                return null;
            });
        } catch (RuntimeException e) {
            log.debug("noting the presence of {} failed: {}", candidateAddress, e.getMessage());
        }
    }

    @Override
    public List<MetaNodePresence> metaNodes() {
        return inTransaction("listing meta nodes", c -> {
            long now = now(c);
            List<MetaNodePresence> out = new java.util.ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT updated_by, updated_at_ms FROM registry_meta_state "
                    + "WHERE name LIKE ? ORDER BY name")) {
                p.setQueryTimeout(timeoutSeconds);
                p.setString(1, PRESENCE_PREFIX + "%");
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new MetaNodePresence(r.getString(1), now - r.getLong(2)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void release(String candidateId) {
        inTransaction("releasing the leader lease", c -> {
            LeaseRecord current = lockLease(c);
            long now = now(c);
            LeaseRecord next = LeaseRules.release(current, candidateId, now);
            if (!next.equals(current)) {
                writeLease(c, current, next, now);
            }
            return null;
        });
    }

    @Override
    public long raiseTerm(String candidateId, long term, long aboveTerm) {
        return inTransaction("raising the leader term", c -> {
            LeaseRecord current = lockLease(c);
            long now = now(c);
            checkHolder(current, candidateId, term, now);
            LeaseRecord next = LeaseRules.raiseTerm(current, candidateId, term, aboveTerm, now);
            if (!writeLease(c, current, next, now)) {
                throw new LeaseLostException("the lease row changed while raising the term");
            }
            return next.term();
        });
    }

    private LeaseRecord lockLease(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT holder_id, holder_address, term, expires_at_ms "
                + "FROM registry_meta_lease WHERE name = ? FOR UPDATE")) {
            p.setQueryTimeout(timeoutSeconds);
            p.setString(1, LEASE_NAME);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    throw new MetaStoreException("the lease row is missing from " + database.redactedUrl()
                            + ": was the schema dropped while meta ran?");
                }
                return new LeaseRecord(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4));
            }
        }
    }

    /** Conditional on the row still being {@code current}; false if it was not. */
    private boolean writeLease(Connection c, LeaseRecord current, LeaseRecord next, long now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE registry_meta_lease SET holder_id = ?, holder_address = ?, "
                + "term = ?, expires_at_ms = ?, renewed_at_ms = ? WHERE name = ? AND term = ? AND expires_at_ms = ?")) {
            p.setQueryTimeout(timeoutSeconds);
            p.setString(1, next.holderId());
            p.setString(2, next.holderAddress());
            p.setLong(3, next.term());
            p.setLong(4, next.expiresAtMillis());
            p.setLong(5, now);
            p.setString(6, LEASE_NAME);
            p.setLong(7, current.term());
            p.setLong(8, current.expiresAtMillis());
            return p.executeUpdate() == 1;
        }
    }

    private long now(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(timeoutSeconds);
            try (ResultSet r = s.executeQuery(dialect.nowMillisQuery())) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void checkHolder(LeaseRecord current, String holderId, long term, long now) {
        if (!LeaseRules.mayWrite(current, holderId, term, now)) {
            throw new LeaseLostException("not the leader: the lease is held by " + current.holderAddress()
                    + " in term " + current.term() + (current.isLiveAt(now) ? "" : " (expired)")
                    + ", not by this node in term " + term);
        }
    }

    // ---- state ----

    @Override
    public Optional<SlotTable> loadSlotTable() {
        return inTransaction("loading the slot table", c -> {
            StateRow row = readState(c, SLOT_TABLE, false);
            return row == null ? Optional.empty() : Optional.of(StateJson.slotTable(row.body));
        });
    }

    @Override
    public void saveSlotTable(String holderId, long term, SlotTable table) {
        inTransaction("saving slot table epoch " + table.epoch(), c -> {
            LeaseRecord lease = lockLease(c);
            long now = now(c);
            checkHolder(lease, holderId, term, now);
            writeState(c, SLOT_TABLE, table.epoch(), term, StateJson.slotTable(table), lease.holderAddress(), now);
            return null;
        });
    }

    @Override
    public OperationalSwitches loadSwitches() {
        return inTransaction("loading the operational switches", c -> {
            StateRow row = readState(c, SWITCHES, false);
            return row == null ? new OperationalSwitches(0, List.of(), false) : StateJson.switches(row.version, row.body);
        });
    }

    @Override
    public OperationalSwitches updateSwitches(UnaryOperator<OperationalSwitches> change) {
        return inTransaction("updating the operational switches", c -> {
            StateRow row = readState(c, SWITCHES, true);
            if (row == null) {
                throw new MetaStoreException("the switches row is missing from " + database.redactedUrl());
            }
            OperationalSwitches current = StateJson.switches(row.version, row.body);
            OperationalSwitches next = change.apply(current);
            if (next.sameValues(current)) {
                return current;
            }
            next = next.withVersion(current.version() + 1);
            writeState(c, SWITCHES, next.version(), 0, StateJson.switches(next), null, now(c));
            return next;
        });
    }

    private record StateRow(long version, long term, String body) {
    }

    private StateRow readState(Connection c, String name, boolean lock) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT version, term, body FROM registry_meta_state WHERE name = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            p.setQueryTimeout(timeoutSeconds);
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? new StateRow(r.getLong(1), r.getLong(2), r.getString(3)) : null;
            }
        }
    }

    private void writeState(Connection c, String name, long version, long term, String body, String by, long now)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE registry_meta_state SET version = ?, term = ?, body = ?, "
                + "updated_by = ?, updated_at_ms = ? WHERE name = ?")) {
            p.setQueryTimeout(timeoutSeconds);
            p.setLong(1, version);
            p.setLong(2, term);
            p.setString(3, body);
            p.setString(4, by);
            p.setLong(5, now);
            p.setString(6, name);
            if (p.executeUpdate() == 1) {
                return;
            }
        }
        insertState(c, name, version, term, body, by, now);
    }

    private void insertState(Connection c, String name, long version, long term, String body, String by, long now)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO registry_meta_state (name, version, term, body, "
                + "updated_by, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setQueryTimeout(timeoutSeconds);
            p.setString(1, name);
            p.setLong(2, version);
            p.setLong(3, term);
            p.setString(4, body);
            p.setString(5, by);
            p.setLong(6, now);
            p.executeUpdate();
        }
    }

    // ---- connections ----

    private <T> T inTransaction(String what, Work<T> work) {
        Connection c;
        try {
            c = borrow();
        } catch (SQLException e) {
            throw new MetaStoreException(what + ": cannot connect to " + database.redactedUrl() + ": " + e.getMessage(), e);
        }
        boolean reusable = false;
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            c.commit();
            reusable = true;
            return result;
        } catch (SQLException e) {
            rollbackQuietly(c);
            throw new MetaStoreException(what + " failed on " + database.redactedUrl() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            reusable = rollbackQuietly(c);
            throw e;
        } finally {
            giveBack(c, reusable);
        }
    }

    private static boolean rollbackQuietly(Connection c) {
        try {
            c.rollback();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private Connection borrow() throws SQLException {
        synchronized (idle) {
            if (closed) {
                throw new SQLException("meta store closed");
            }
            Connection c = idle.pollFirst();
            if (c != null) {
                return c;
            }
        }
        Properties props = new Properties();
        props.setProperty("user", database.user());
        props.setProperty("password", database.password());
        if (dialect == SqlDialect.POSTGRESQL) {
            // Bound every wait on the network, unless the URL says otherwise.
            setIfAbsent(props, "connectTimeout", timeoutSeconds);
            setIfAbsent(props, "socketTimeout", timeoutSeconds * 2);
            setIfAbsent(props, "loginTimeout", timeoutSeconds);
            props.setProperty("ApplicationName", "registry-meta");
        }
        Connection c = DriverManager.getConnection(database.url(), props);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        return c;
    }

    private void setIfAbsent(Properties props, String key, int value) {
        if (!database.url().contains(key + "=")) {
            props.setProperty(key, Integer.toString(value));
        }
    }

    private void giveBack(Connection c, boolean reusable) {
        if (reusable) {
            synchronized (idle) {
                if (!closed && idle.size() < MAX_IDLE_CONNECTIONS) {
                    idle.addFirst(c);
                    return;
                }
            }
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing a meta database connection failed: {}", e.getMessage());
        }
    }

    @Override
    public String description() {
        return database.redactedUrl();
    }

    @Override
    public void close() {
        List<Connection> toClose;
        synchronized (idle) {
            closed = true;
            toClose = List.copyOf(idle);
            idle.clear();
        }
        toClose.forEach(JdbcMetaStore::closeQuietly);
    }
}
