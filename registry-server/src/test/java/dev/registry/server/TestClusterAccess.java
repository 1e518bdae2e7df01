package dev.registry.server;

import dev.registry.data.DataServer;
import dev.registry.session.SessionServer;

import java.util.List;

/** Public face of {@link TestCluster} for test packages below this one (the chaos harness). */
public final class TestClusterAccess implements AutoCloseable {
    private final TestCluster cluster;

    public TestClusterAccess(int dataServers, int sessions) {
        this.cluster = new TestCluster(dataServers, sessions);
    }

    public List<DataServer> data() {
        return cluster.data;
    }

    public List<SessionServer> sessions() {
        return cluster.sessions;
    }

    public DataServer addDataServer() {
        return cluster.addDataServer();
    }

    public void stopDataServer(DataServer d) {
        cluster.stopDataServer(d);
    }

    /** Closes session {@code index} and starts a new one in its place (a new port). */
    public SessionServer replaceSession(int index) {
        SessionServer old = cluster.sessions.get(index);
        old.close();
        SessionServer fresh = cluster.addSession();
        cluster.sessions.remove(fresh);
        cluster.sessions.set(index, fresh);
        return fresh;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
