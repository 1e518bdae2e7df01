package dev.registry.meta.store;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The meta store on a real PostgreSQL server (see {@link TestDatabases}: fails in CI when unreachable). */
class JdbcMetaStorePostgresTest extends JdbcMetaStoreContract {

    @Override
    MetaDatabase newDatabase() {
        return TestDatabases.postgres();
    }

    @Test
    void wrongPasswordFailsWithAClearMessageThatDoesNotShowIt() {
        MetaDatabase wrong = new MetaDatabase(db.url(), db.user(), "not-the-password-42");

        assertThatThrownBy(() -> new JdbcMetaStore(wrong, Duration.ofSeconds(2)).init())
                .isInstanceOf(MetaStoreException.class)
                .hasMessageContaining("jdbc:postgresql://")
                .hasMessageContaining("password authentication failed")
                .hasMessageNotContaining("not-the-password-42");
    }
}
