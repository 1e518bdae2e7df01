package dev.registry.server;

import dev.registry.meta.store.MetaDatabase;
import dev.registry.meta.store.TestDatabases;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Meta failover with the meta nodes sharing an embedded H2 file database. */
class MetaFailoverH2Test extends MetaFailoverContract {
    @TempDir
    Path dir;

    @Override
    MetaDatabase newDatabase() {
        return TestDatabases.h2File(dir);
    }
}
