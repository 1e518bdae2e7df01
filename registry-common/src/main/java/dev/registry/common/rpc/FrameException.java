package dev.registry.common.rpc;

import io.netty.handler.codec.DecoderException;

/** The byte stream cannot be framed any more; the connection must be closed. */
final class FrameException extends DecoderException {
    private static final long serialVersionUID = 1L;

    final ErrorCode code;

    FrameException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }
}
