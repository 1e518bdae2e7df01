package dev.registry.common.protocol;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * Client -> session, first message on every connection (one-way): who the client is, stable for
 * the life of its process, and when it lost its links lately (ages in milliseconds, newest
 * first), including links to other sessions. The session damps the publishers of a client whose
 * links flap (see docs/architecture.md, "Flapping clients"). Wire DTO.
 */
public final class ClientHello implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Longest client id a session accepts. */
    public static final int MAX_CLIENT_ID_LENGTH = 64;
    /** Most loss ages a session accepts in one hello. */
    public static final int MAX_LOSSES = 64;
    /** The client applies delta pushes ({@link PushRequest#isDelta}) and answers {@link PushAck#resync}. */
    public static final int FEATURE_PUSH_DELTAS = 1;
    /**
     * A bit of the session's answer to a hello (an {@code Integer}; sessions before this answer
     * {@code Boolean.TRUE}): the session takes {@link RegisterPublishersRequest}.
     */
    public static final int SESSION_REGISTER_BATCHES = 1;

    private String clientId;
    /** ArrayList of Long, not long[]: Hessian builds it from allow-listed JDK classes. */
    private ArrayList<Long> lostLinkAgesMillis;
    /** Bits of FEATURE_*; 0 from clients before features (sessions ignore fields they do not know). */
    private int features;

    @SuppressWarnings("unused")
    private ClientHello() {
    }

    public ClientHello(String clientId, long[] lostLinkAgesMillis) {
        this.clientId = clientId;
        this.lostLinkAgesMillis = new ArrayList<>();
        if (lostLinkAgesMillis != null) {
            for (long age : lostLinkAgesMillis) {
                this.lostLinkAgesMillis.add(age);
            }
        }
    }

    public ClientHello withFeatures(int features) {
        this.features = features;
        return this;
    }

    public boolean has(int feature) {
        return (features & feature) != 0;
    }

    public String clientId() {
        return clientId;
    }

    public long[] lostLinkAgesMillis() {
        if (lostLinkAgesMillis == null) {
            return new long[0];
        }
        return lostLinkAgesMillis.stream().filter(java.util.Objects::nonNull).mapToLong(Long::longValue).toArray();
    }

    /** Checks what a session relies on; throws IllegalArgumentException naming the problem. */
    public ClientHello validate() {
        if (clientId == null || clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH
                || !clientId.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "-_.:".indexOf(c) >= 0))) {
            throw new IllegalArgumentException("clientId must be 1.." + MAX_CLIENT_ID_LENGTH
                    + " characters of [A-Za-z0-9-_.:]");
        }
        if (lostLinkAgesMillis != null && lostLinkAgesMillis.size() > MAX_LOSSES) {
            throw new IllegalArgumentException("at most " + MAX_LOSSES + " lost links per hello, got "
                    + lostLinkAgesMillis.size());
        }
        return this;
    }

    @Override
    public String toString() {
        return "ClientHello{clientId=" + clientId + ", lostLinkAgesMillis=" + lostLinkAgesMillis + "}";
    }
}
