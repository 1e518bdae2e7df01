package dev.registry.client;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** A registry operation failed or timed out; the message says which and why. */
public class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What the caller of {@code what} gets for {@code error} (unwrapped); {@code timeout} is the request timeout. */
    static RegistryException failure(String what, Throwable error, Duration timeout) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof RegistryException r) {
            return r;
        }
        if (cause instanceof TimeoutException) {
            return new RegistryException(what + " got no answer within " + timeout.toMillis() + " ms", cause);
        }
        return new RegistryException(what + " failed: " + cause.getMessage(), cause);
    }
}
