package dev.registry.common.protocol;

import java.io.Serializable;

/** Session -> client: the credentials were accepted; the connection acts as this app from now on. Wire DTO. */
public final class AuthResult implements Serializable {
    private static final long serialVersionUID = 1L;

    private String app;

    @SuppressWarnings("unused")
    private AuthResult() {
    }

    public AuthResult(String app) {
        this.app = app;
    }

    public String app() {
        return app;
    }

    @Override
    public String toString() {
        return "AuthResult{app=" + app + "}";
    }
}
