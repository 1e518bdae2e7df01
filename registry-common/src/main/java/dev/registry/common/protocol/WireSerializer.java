package dev.registry.common.protocol;

import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;

/**
 * The serializer of our own protocol: the hot-path messages in {@link CompactCodec}'s form,
 * everything else in Hessian with the allow-list. A payload is told apart by its first byte
 * ({@link CompactCodec#MARKER} is never the first byte Hessian writes), so each side reads
 * either form whatever the other side chose.
 *
 * <p>Thread-safe.
 */
public final class WireSerializer implements Serializer {
    private final Serializer hessian;

    public WireSerializer(Serializer hessian) {
        this.hessian = hessian;
    }

    @Override
    public byte[] serialize(Object value) throws SerializationException {
        if (value != null && CompactCodec.supports(value)) {
            try {
                return CompactCodec.encode(value);
            } catch (RuntimeException e) {
                throw new SerializationException("cannot serialize " + value.getClass().getName() + ": " + e, e);
            }
        }
        return hessian.serialize(value);
    }

    /**
     * The messages of a registration's and a push round's path between session and data server,
     * all immutable once built (a {@link DatumValues}' lists are built for the one answer and only
     * read), and errors.
     */
    @Override
    public boolean passesInProcess(Object message) {
        return message instanceof WritePublisherRequest || message instanceof WriteResult
                || message instanceof RemovePublisherRequest || message instanceof DataChangeNotice
                || message instanceof FetchDatumRequest || message instanceof DatumValues
                || message instanceof dev.registry.common.rpc.RpcError
                || message instanceof LeaderWritesRequest || message instanceof LeaderWritesResponse;
    }

    @Override
    public Object deserialize(byte[] bytes, int offset, int length) throws SerializationException {
        if (length > 0 && bytes[offset] == CompactCodec.MARKER) {
            return CompactCodec.decode(bytes, offset, length);
        }
        return hessian.deserialize(bytes, offset, length);
    }
}
