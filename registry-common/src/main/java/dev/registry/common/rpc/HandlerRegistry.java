package dev.registry.common.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Maps a message class to its handler. Register everything before the server starts. */
public final class HandlerRegistry {
    private final Map<Class<?>, RequestHandler<?>> handlers = new ConcurrentHashMap<>();

    public <T> HandlerRegistry register(Class<T> type, RequestHandler<? super T> handler) {
        if (handlers.putIfAbsent(type, handler) != null) {
            throw new IllegalStateException("a handler for " + type.getName() + " is already registered");
        }
        return this;
    }

    @SuppressWarnings("unchecked")
    <T> RequestHandler<T> handlerFor(Class<?> type) {
        return (RequestHandler<T>) handlers.get(type);
    }

    /** The message classes with handlers: they belong on the deserialization allow-list. */
    public List<Class<?>> messageTypes() {
        return new ArrayList<>(handlers.keySet());
    }
}
