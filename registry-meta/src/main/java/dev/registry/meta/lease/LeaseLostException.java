package dev.registry.meta.lease;

/** A write in a term the writer no longer holds: it is not the leader any more. */
public class LeaseLostException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public LeaseLostException(String message) {
        super(message);
    }
}
