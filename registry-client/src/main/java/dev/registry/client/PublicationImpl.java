package dev.registry.client;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.RegisterPublisherRequest;

import java.util.List;
import java.util.function.Consumer;

/**
 * A publication's handle and the state that is re-sent on every (re)registration: its values and
 * their version. Threading: values and version are guarded by this; the rest is immutable.
 */
final class PublicationImpl implements Publication {
    private final DataInfoId id;
    private final String registerId;
    private final long registeredAt = System.currentTimeMillis();
    /** Sends this publication's current values and waits for the session's answer. */
    private final Consumer<PublicationImpl> sendAndWait;
    private final Runnable unregister;
    private long version;
    private List<String> values;

    PublicationImpl(DataInfoId id, String registerId, List<String> values, Consumer<PublicationImpl> sendAndWait,
                    Runnable unregister) {
        this.id = id;
        this.registerId = registerId;
        this.sendAndWait = sendAndWait;
        this.unregister = unregister;
        this.values = List.copyOf(values);
        this.version = 1;
    }

    /** The registration as it stands now; {@code ip} is the address this client registers with. */
    synchronized RegisterPublisherRequest toRequest(RegistryClientConfig config, String ip) {
        return new RegisterPublisherRequest(new Publisher(id, registerId, version, values, config.appName(), ip,
                config.zone(), registeredAt, null, null));
    }

    /**
     * The registration to send through a new connection: its version goes up first. A session the
     * client left may still write the registration it holds (a retry, a re-sync while it holds a
     * moved client's publishers); the data server keeps the higher version, so that late write
     * cannot replace this one, and a later unregister through this connection finds its own
     * registration instead of the stale one (which it would leave in place).
     */
    synchronized RegisterPublisherRequest toReRegistration(RegistryClientConfig config, String ip) {
        version++;
        return toRequest(config, ip);
    }

    @Override
    public DataInfoId dataInfoId() {
        return id;
    }

    @Override
    public String registerId() {
        return registerId;
    }

    @Override
    public synchronized List<String> values() {
        return values;
    }

    @Override
    public void update(List<String> newValues) {
        synchronized (this) {
            values = List.copyOf(newValues);
            version++;
        }
        sendAndWait.accept(this);
    }

    @Override
    public void unregister() {
        unregister.run();
    }
}
