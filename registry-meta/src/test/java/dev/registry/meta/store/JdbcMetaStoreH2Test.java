package dev.registry.meta.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The meta store on an embedded H2 file database. */
class JdbcMetaStoreH2Test extends JdbcMetaStoreContract {
    @TempDir
    Path dir;

    @Override
    MetaDatabase newDatabase() {
        return TestDatabases.h2File(dir);
    }

    @Test
    void stateSurvivesReopeningTheFile() {
        JdbcMetaStore first = store();
        var lease = first.acquireOrRenew("a/1", "A", Duration.ofSeconds(30));
        first.saveSlotTable("a/1", lease.term(), table(lease.term(), 3));
        first.updateSwitches(s -> s.withPushStopped(true));
        first.close();

        JdbcMetaStore reopened = store();

        assertThat(reopened.loadSlotTable().orElseThrow().epoch()).isEqualTo(3);
        assertThat(reopened.loadSwitches().pushStopped()).isTrue();
        assertThat(reopened.acquireOrRenew("b/1", "B", Duration.ofSeconds(30)).holderId()).as("lease survived too")
                .isEqualTo("a/1");
    }

    @Test
    void unsupportedDatabaseIsRefusedUpFront() {
        assertThatThrownBy(() -> new MetaDatabase("jdbc:mysql://db/registry?password=secret", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql")
                .hasMessageNotContaining("secret");
    }

    @Test
    void secretsNeverShow() {
        MetaDatabase withSecret = new MetaDatabase("jdbc:postgresql://db:5432/registry?user=meta&password=s3cret&ssl=true",
                "meta", "hunter2");

        assertThat(withSecret.redactedUrl()).isEqualTo("jdbc:postgresql://db:5432/registry?user=meta&password=***&ssl=true");
        assertThat(withSecret.toString()).doesNotContain("s3cret").doesNotContain("hunter2");
        assertThat(MetaDatabase.h2File(Path.of("data/meta")).url()).isEqualTo("jdbc:h2:file:./data/meta;AUTO_SERVER=TRUE");
    }
}
