package dev.registry.common.protocol;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Cluster-wide operational switches, persisted by meta and handed to every session with each
 * heartbeat answer: the client IPs taken off (their publishers withdrawn from data servers
 * while sessions keep them) and whether pushes are stopped. {@code version} changes on every
 * change. Immutable wire DTO.
 */
public final class OperationalSwitches implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What a session assumes before meta told it anything: nothing off, pushes on. */
    public static final OperationalSwitches NONE = new OperationalSwitches(-1, List.of(), false);

    private long version;
    private ArrayList<String> clientOffIps;
    private boolean pushStopped;

    @SuppressWarnings("unused")
    private OperationalSwitches() {
    }

    /** @param clientOffIps stored sorted and without duplicates */
    public OperationalSwitches(long version, Collection<String> clientOffIps, boolean pushStopped) {
        this.version = version;
        this.clientOffIps = new ArrayList<>(new TreeSet<>(clientOffIps)); // concrete class for Hessian
        this.pushStopped = pushStopped;
    }

    public long version() {
        return version;
    }

    /** Sorted, without duplicates. */
    public List<String> clientOffIps() {
        return clientOffIps == null ? List.of() : Collections.unmodifiableList(clientOffIps);
    }

    public boolean pushStopped() {
        return pushStopped;
    }

    public OperationalSwitches withClientOff(String ip, boolean off) {
        TreeSet<String> ips = new TreeSet<>(clientOffIps());
        if (off) {
            ips.add(ip);
        } else {
            ips.remove(ip);
        }
        return new OperationalSwitches(version, ips, pushStopped);
    }

    public OperationalSwitches withPushStopped(boolean stopped) {
        return new OperationalSwitches(version, clientOffIps(), stopped);
    }

    public OperationalSwitches withVersion(long newVersion) {
        return new OperationalSwitches(newVersion, clientOffIps(), pushStopped);
    }

    /** Same switch values (versions may differ). */
    public boolean sameValues(OperationalSwitches other) {
        return pushStopped == other.pushStopped && clientOffIps().equals(other.clientOffIps());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OperationalSwitches s && version == s.version && sameValues(s);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, clientOffIps(), pushStopped);
    }

    @Override
    public String toString() {
        return "OperationalSwitches{version=" + version + " clientOff=" + clientOffIps() + " pushStopped=" + pushStopped + "}";
    }
}
