package dev.registry.session.admin;

import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.OperationalSwitches;
import dev.registry.session.publish.PublisherSyncer;
import dev.registry.session.push.PushEngine;
import dev.registry.session.store.PublisherKey;
import dev.registry.session.store.SessionPublisherStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * The operators' switches on this session: client-off per client IP and push stop, set by an
 * admin request on this session or on meta for every session (meta keeps them in its database).
 */
public final class SessionSwitches {
    private static final Logger log = LoggerFactory.getLogger(SessionSwitches.class);

    private final SessionPublisherStore publishers;
    private final PublisherSyncer syncer;
    private final PushEngine push;

    public SessionSwitches(SessionPublisherStore publishers, PublisherSyncer syncer, PushEngine push) {
        this.publishers = publishers;
        this.syncer = syncer;
        this.push = push;
    }

    /**
     * Client-off (true) takes every publisher of that client IP off the data servers while the
     * session keeps them; client-on publishes them again. Used around deploys.
     */
    public Map<String, Object> setClientOff(String ip, boolean off) {
        List<Publisher> affected = publishers.setIpOff(ip, off);
        for (Publisher p : affected) {
            if (off) {
                syncer.syncRemoval(p);
            } else {
                syncer.sync(new PublisherKey(p.dataInfoId(), p.registerId()));
            }
        }
        log.info("client-{} for ip {}: {} publishers", off ? "off" : "on", ip, affected.size());
        return Map.of("ip", ip, "off", off, "publishers", affected.size());
    }

    /**
     * Meta's switches changed: apply the difference, so a session-local admin call stays in force
     * until meta changes the same switch.
     */
    public void applyMetaSwitches(OperationalSwitches before, OperationalSwitches after) {
        for (String ip : after.clientOffIps()) {
            if (!before.clientOffIps().contains(ip)) {
                setClientOff(ip, true);
            }
        }
        for (String ip : before.clientOffIps()) {
            if (!after.clientOffIps().contains(ip)) {
                setClientOff(ip, false);
            }
        }
        if (before.pushStopped() != after.pushStopped()) {
            push.setPaused(after.pushStopped());
            log.warn("pushes {} by meta's switch (version {})", after.pushStopped() ? "stopped" : "resumed", after.version());
        }
    }
}
