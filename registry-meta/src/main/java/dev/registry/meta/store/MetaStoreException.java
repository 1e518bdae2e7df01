package dev.registry.meta.store;

/** The meta database could not be reached or refused an operation; the message says which and why. */
public class MetaStoreException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public MetaStoreException(String message) {
        super(message);
    }

    public MetaStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
