package dev.registry.session.bolt;

import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bolt's request processing: picks the handler by the class name in the frame (bolt's
 * {@code UserProcessor.interest()}), only then deserializes the content through the
 * allow-listed serializer, and answers with the handler's result.
 *
 * <ul>
 *   <li>unknown class: {@code NO_PROCESSOR}, naming the classes served;
 *   <li>another codec than Hessian 2 (e.g. protobuf, 11), undecodable content or a class
 *       outside the allow-list: {@code SERVER_DESERIAL_EXCEPTION} with the reason;
 *   <li>a handler failure: {@code SERVER_EXCEPTION}.
 * </ul>
 * The connection stays open in every case: the frame itself was well formed.
 */
final class SofaRequestDispatcher {
    private static final Logger log = LoggerFactory.getLogger(SofaRequestDispatcher.class);

    /** Handles one decoded request; may return a {@link CompletionStage} to answer later. */
    @FunctionalInterface
    interface Handler {
        Object handle(BoltConnection connection, BoltCommand command, Object request) throws Exception;
    }

    private final Map<String, Handler> handlers;
    private final Serializer serializer;
    private final LongAdder rejected = new LongAdder();

    SofaRequestDispatcher(Map<String, Handler> handlers, Serializer serializer) {
        this.handlers = Map.copyOf(handlers);
        this.serializer = serializer;
    }

    void dispatch(BoltConnection connection, BoltCommand command) {
        boolean answer = command.type() == BoltProtocol.TYPE_REQUEST;
        Handler handler = command.className() == null ? null : handlers.get(command.className());
        if (handler == null) {
            reject(connection, command, answer, BoltProtocol.Status.NO_PROCESSOR, "no processor for class "
                    + command.className() + " on this port; it serves " + new TreeSet<>(handlers.keySet()));
            return;
        }
        if (command.codec() != BoltProtocol.CODEC_HESSIAN2) {
            reject(connection, command, answer, BoltProtocol.Status.SERVER_DESERIAL_EXCEPTION, "codec "
                    + command.codec() + " is not supported (protobuf is not served); send Hessian 2, codec 1");
            return;
        }
        Object request;
        try {
            request = serializer.deserialize(command.content());
        } catch (SerializationException e) {
            reject(connection, command, answer, BoltProtocol.Status.SERVER_DESERIAL_EXCEPTION, e.getMessage());
            return;
        }
        if (request == null || !request.getClass().getName().equals(command.className())) {
            reject(connection, command, answer, BoltProtocol.Status.SERVER_DESERIAL_EXCEPTION, "content is "
                    + (request == null ? "null" : request.getClass().getName()) + " but the frame names "
                    + command.className());
            return;
        }
        Object result;
        try {
            result = handler.handle(connection, command, request);
        } catch (Exception | LinkageError e) {
            finish(connection, command, answer, null, e);
            return;
        }
        if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((value, error) -> finish(connection, command, answer, value, error));
        } else {
            finish(connection, command, answer, result, null);
        }
    }

    private void finish(BoltConnection connection, BoltCommand command, boolean answer, Object value, Throwable error) {
        if (error == null && value != null) {
            if (answer) {
                connection.respond(command, value);
            }
            return;
        }
        String message = error == null ? "no response" : String.valueOf(error.getMessage());
        log.error("{} from {} failed", command.className(), connection.remoteAddress(), error);
        if (answer) {
            connection.respondError(command, BoltProtocol.Status.SERVER_EXCEPTION,
                    simpleName(command.className()) + " failed: " + message);
        }
    }

    private void reject(BoltConnection connection, BoltCommand command, boolean answer, BoltProtocol.Status status,
                        String message) {
        rejected.increment();
        log.warn("rejected request {} from {}: {} {}", command.requestId(), connection.remoteAddress(), status,
                message);
        if (answer) {
            connection.respondError(command, status, message);
        }
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    long rejectedRequests() {
        return rejected.sum();
    }
}
