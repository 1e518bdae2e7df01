package dev.registry.common.rpc;

import java.io.Serializable;

/**
 * Wire DTOs used only by the RPC tests: plain classes with a private no-arg constructor for
 * Hessian and non-final fields, like the production DTOs.
 */
final class TestMessages {
    private TestMessages() {
    }

    /** Answered with an {@link EchoReply} carrying the same seq, after {@code delayMillis} if positive. */
    static final class Echo implements Serializable {
        private static final long serialVersionUID = 1L;
        private long seq;
        private String text;
        private long delayMillis;

        @SuppressWarnings("unused")
        private Echo() {
        }

        Echo(long seq, String text) {
            this(seq, text, 0);
        }

        Echo(long seq, String text, long delayMillis) {
            this.seq = seq;
            this.text = text;
            this.delayMillis = delayMillis;
        }

        long seq() {
            return seq;
        }

        String text() {
            return text;
        }

        long delayMillis() {
            return delayMillis;
        }
    }

    static final class EchoReply implements Serializable {
        private static final long serialVersionUID = 1L;
        private long seq;
        private String text;

        @SuppressWarnings("unused")
        private EchoReply() {
        }

        EchoReply(long seq, String text) {
            this.seq = seq;
            this.text = text;
        }

        long seq() {
            return seq;
        }

        String text() {
            return text;
        }
    }

    /** A one-way message; the handler records it. */
    static final class Note implements Serializable {
        private static final long serialVersionUID = 1L;
        private String text;

        @SuppressWarnings("unused")
        private Note() {
        }

        Note(String text) {
            this.text = text;
        }

        String text() {
            return text;
        }
    }

    /** Its handler never answers. */
    static final class Stall implements Serializable {
        private static final long serialVersionUID = 1L;
        private int id;

        @SuppressWarnings("unused")
        private Stall() {
        }

        Stall(int id) {
            this.id = id;
        }

        int id() {
            return id;
        }
    }

    /** Its handler throws IllegalArgumentException (synchronously or from a future). */
    static final class Invalid implements Serializable {
        private static final long serialVersionUID = 1L;
        private String reason;
        private boolean async;

        @SuppressWarnings("unused")
        private Invalid() {
        }

        Invalid(String reason, boolean async) {
            this.reason = reason;
            this.async = async;
        }

        String reason() {
            return reason;
        }

        boolean async() {
            return async;
        }
    }

    /** Its handler refuses with NOT_LEADER at the given epoch. */
    static final class NotMine implements Serializable {
        private static final long serialVersionUID = 1L;
        private long epoch;

        @SuppressWarnings("unused")
        private NotMine() {
        }

        NotMine(long epoch) {
            this.epoch = epoch;
        }

        long epoch() {
            return epoch;
        }
    }

    /** On the server's allow-list, but no handler is registered for it. */
    static final class Unhandled implements Serializable {
        private static final long serialVersionUID = 1L;
        private String text;

        @SuppressWarnings("unused")
        private Unhandled() {
        }

        Unhandled(String text) {
            this.text = text;
        }
    }

    /** Not on the server's allow-list; only the permissive test serializer can write it. */
    static final class Forbidden implements Serializable {
        private static final long serialVersionUID = 1L;
        private String command;

        @SuppressWarnings("unused")
        private Forbidden() {
        }

        Forbidden(String command) {
            this.command = command;
        }
    }
}
