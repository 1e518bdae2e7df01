package dev.registry.server;

import com.google.common.net.HostAndPort;
import dev.registry.data.DataServer;
import dev.registry.meta.MetaServer;
import dev.registry.meta.store.MetaDatabase;
import dev.registry.session.SessionServer;

import java.util.List;

/** Public face of {@link TestCluster} for test packages below this one (the chaos harness). */
public final class TestClusterAccess implements AutoCloseable {
    private final TestCluster cluster;

    /**
     * Where other nodes reach metas and data servers: the chaos harness puts fault-injecting
     * proxies there. Every node binds 127.0.0.1; the defaults address it there directly.
     */
    public interface Links {
        Links DIRECT = new Links() { };

        /** The host meta {@code index} advertises in the leader lease (followers redirect members to it). */
        default String metaAdvertiseHost(int index) {
            return "127.0.0.1";
        }

        /** The address data servers and sessions use for meta {@code index}, once it listens on 127.0.0.1:port. */
        default HostAndPort metaAddress(int index, int port) {
            return HostAndPort.fromParts("127.0.0.1", port);
        }

        /** The port the next data server advertises in the slot table (0: the port it binds). */
        default int dataAdvertisePort() {
            return 0;
        }

        /** Called once the data server that advertises {@link #dataAdvertisePort()} listens. */
        default void dataStarted(DataServer d) {
        }
    }

    public TestClusterAccess(int dataServers, int sessions) {
        this.cluster = new TestCluster(dataServers, sessions);
    }

    /** {@code metas} meta nodes on {@code database}, their and the data servers' addresses chosen by {@code links}. */
    public TestClusterAccess(MetaDatabase database, int metas, int dataServers, int sessions, Links links) {
        this.cluster = new TestCluster(database, metas, dataServers, sessions, links);
    }

    public List<MetaServer> metas() {
        return cluster.metas;
    }

    /** The meta leading now, waiting up to 15 s for one. */
    public MetaServer leaderMeta() {
        return cluster.leaderMeta();
    }

    /** Kills a meta as a crash would (its lease is not released). */
    public void crashMeta(MetaServer m) {
        cluster.crashMeta(m);
    }

    /** Stops a meta gracefully (it releases its lease). */
    public void stopMeta(MetaServer m) {
        cluster.stopMeta(m);
    }

    /** Starts a meta on its old port (same address, same database). */
    public MetaServer startMeta(int port) {
        return cluster.startMeta(port);
    }

    /** Waits until every node holds meta's current table and every session is ready. */
    public void awaitStable() {
        cluster.awaitStable();
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
