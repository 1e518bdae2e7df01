package dev.registry.session.bolt;

/**
 * The byte stream is not Bolt v1 or breaks a limit. The stream cannot be re-synchronised:
 * the handler answers {@code CODEC_EXCEPTION} with this message, then closes the connection.
 */
public final class BoltFrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The request id from the header, or 0 when the header was not readable. */
    public final int requestId;

    public BoltFrameException(int requestId, String message) {
        super(message);
        this.requestId = requestId;
    }
}
