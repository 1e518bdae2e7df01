package dev.registry.common.serialize;

/**
 * Turns wire objects into bytes and back. Implementations must refuse to instantiate any
 * class that is not explicitly allowed, and must be safe for concurrent use.
 */
public interface Serializer {

    byte[] serialize(Object value) throws SerializationException;

    /**
     * @throws SerializationException for malformed input or a class outside the allow-list;
     *                                the message names the problem (and the class, if any)
     */
    Object deserialize(byte[] bytes, int offset, int length) throws SerializationException;

    default Object deserialize(byte[] bytes) throws SerializationException {
        return deserialize(bytes, 0, bytes.length);
    }

    /**
     * Whether a message may travel between two roles of one process as the object itself,
     * neither encoded nor decoded: true only for immutable messages neither side changes after
     * sending or receiving (an in-process link, see {@code InProcessLinks}).
     */
    default boolean passesInProcess(Object message) {
        return false;
    }
}
