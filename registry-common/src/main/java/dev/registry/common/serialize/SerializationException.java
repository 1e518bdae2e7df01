package dev.registry.common.serialize;

/** A payload could not be encoded or decoded; {@link #rejectedClass()} is set for allow-list refusals. */
public class SerializationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String rejectedClass;

    public SerializationException(String message) {
        this(message, null, null);
    }

    public SerializationException(String message, Throwable cause) {
        this(message, cause, null);
    }

    public SerializationException(String message, Throwable cause, String rejectedClass) {
        super(message, cause);
        this.rejectedClass = rejectedClass;
    }

    public String rejectedClass() {
        return rejectedClass;
    }
}
