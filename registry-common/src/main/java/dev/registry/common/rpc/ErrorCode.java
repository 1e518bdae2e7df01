package dev.registry.common.rpc;

/** Error codes that travel on the wire inside {@link RpcError}; names are stable. */
public enum ErrorCode {
    /** The call got no response within its timeout. */
    TIMEOUT,
    /** The connection closed (or was never open) before the response arrived. */
    CONNECTION_CLOSED,
    /** A frame's declared length exceeded the configured maximum; the connection is closed. */
    FRAME_TOO_LARGE,
    /** A frame had a bad magic, version or type, or a length below the header size; closed. */
    BAD_FRAME,
    /** The payload named a class outside the deserialization allow-list; connection kept. */
    CLASS_NOT_ALLOWED,
    /** The payload could not be decoded; connection kept. */
    BAD_PAYLOAD,
    /** The request was decoded but is invalid (bad id, missing field ...). */
    BAD_REQUEST,
    /** No handler is registered for the request's type. */
    NO_HANDLER,
    /** The receiving data server does not lead the slot at the request's epoch; refresh and retry. */
    NOT_LEADER,
    /** The caller did not prove who it is, or its proof was refused (credentials, signature, replay). Not retried. */
    UNAUTHENTICATED,
    /** The caller may not do this: e.g. change a registration another client made. Not retried. */
    FORBIDDEN,
    /** The receiver is not ready to serve (no slot table yet, shutting down ...); retry later. */
    UNAVAILABLE,
    /** An unexpected failure inside the server; logged there. */
    SERVER_ERROR
}
