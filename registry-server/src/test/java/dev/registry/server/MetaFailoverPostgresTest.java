package dev.registry.server;

import dev.registry.meta.store.MetaDatabase;
import dev.registry.meta.store.TestDatabases;

/** Meta failover on a real PostgreSQL server (fails in CI when it cannot be reached). */
class MetaFailoverPostgresTest extends MetaFailoverContract {
    @Override
    MetaDatabase newDatabase() {
        return TestDatabases.postgres();
    }
}
