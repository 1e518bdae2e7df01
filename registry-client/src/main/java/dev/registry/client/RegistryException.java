package dev.registry.client;

/** A registry operation failed or timed out; the message says which and why. */
public class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
