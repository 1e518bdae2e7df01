package dev.registry.common.protocol;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Session -> client: the client addresses ({@code host:port}) of every session taking clients. Wire DTO. */
public final class SessionList implements Serializable {
    private static final long serialVersionUID = 1L;

    private ArrayList<String> sessions;

    @SuppressWarnings("unused")
    private SessionList() {
    }

    public SessionList(List<String> sessions) {
        this.sessions = new ArrayList<>(sessions);
    }

    public List<String> sessions() {
        return sessions == null ? List.of() : sessions;
    }

    @Override
    public String toString() {
        return "SessionList{" + sessions + "}";
    }
}
