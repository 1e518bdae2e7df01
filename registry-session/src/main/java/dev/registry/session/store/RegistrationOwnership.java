package dev.registry.session.store;

import java.util.Objects;

/**
 * Who may change or remove a registration on this session: the connection that made it, or the
 * same client on another connection (a reconnect while the session has not yet noticed that the
 * old connection died). Anyone else is refused: a registerId read somewhere must not let a
 * stranger withdraw or take over a live provider.
 *
 * <p>"The same client" is the client id both connections named in their {@code ClientHello};
 * clients that send none (SOFARegistry's own) are the same client when they connect from the
 * same IP. A registration whose connection is closed (held by flap damping or a move) may be
 * re-claimed by whoever holds its registerId: a 128-bit random value that the admin API shows
 * only to a caller with the admin token. Pure: the connection facts come from {@link Connections}.
 */
public final class RegistrationOwnership {

    /** What the session knows of its client connections, by connection id. */
    public interface Connections {
        boolean isOpen(String connectionId);

        /** The client id the connection named in its hello; null if none (or unknown). */
        String clientOf(String connectionId);

        /** The remote IP of an open connection; null if unknown. */
        String remoteIpOf(String connectionId);
    }

    private final Connections connections;

    public RegistrationOwnership(Connections connections) {
        this.connections = connections;
    }

    /** May {@code requester} change or remove a registration that {@code holder} made? */
    public boolean mayChange(String holder, String requester) {
        if (holder == null || holder.equals(requester) || !connections.isOpen(holder)) {
            return true;
        }
        String holderClient = connections.clientOf(holder);
        String requesterClient = connections.clientOf(requester);
        if (holderClient != null || requesterClient != null) {
            return Objects.equals(holderClient, requesterClient);
        }
        String holderIp = connections.remoteIpOf(holder);
        return holderIp != null && holderIp.equals(connections.remoteIpOf(requester));
    }

    /** The refusal's text: names the registration, never the other client. */
    public static String refusal(String what, String registerId) {
        return what + " " + registerId + " belongs to another client connection; only that client may change or "
                + "remove it";
    }
}
