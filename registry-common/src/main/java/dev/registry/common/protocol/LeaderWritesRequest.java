package dev.registry.common.protocol;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Session -> slot leader: several {@link WritePublisherRequest}s and {@link RemovePublisherRequest}s
 * (of any slots the receiving server leads) in one request, each carried out exactly as it would
 * be alone and in this order; answered by a {@link LeaderWritesResponse} with an outcome per
 * write. A session batches the writes it has for one data server while its link is busy,
 * instead of one request, one answer and one hand-over between threads each.
 * Wire DTO.
 */
public final class LeaderWritesRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Most writes in one request. */
    public static final int MAX_WRITES = 1024;

    /** Each a WritePublisherRequest or a RemovePublisherRequest; ArrayList so that Hessian builds it from allow-listed classes. */
    private ArrayList<Object> writes;

    @SuppressWarnings("unused")
    private LeaderWritesRequest() {
    }

    public LeaderWritesRequest(List<?> writes) {
        for (Object w : writes) {
            if (!isWrite(w)) {
                throw new IllegalArgumentException("a leader write is a WritePublisherRequest or a RemovePublisherRequest, not " + w);
            }
        }
        this.writes = new ArrayList<>(writes);
    }

    /** Whether {@code message} may be one of the writes. */
    public static boolean isWrite(Object message) {
        return message instanceof WritePublisherRequest || message instanceof RemovePublisherRequest;
    }

    public List<Object> writes() {
        return writes == null ? List.of() : writes;
    }

    /** Checks what a data server relies on; throws IllegalArgumentException naming the problem. */
    public LeaderWritesRequest validate() {
        if (writes == null || writes.isEmpty()) {
            throw new IllegalArgumentException("a batch of leader writes must hold at least one write");
        }
        if (writes.size() > MAX_WRITES) {
            throw new IllegalArgumentException("at most " + MAX_WRITES + " writes per batch, got " + writes.size());
        }
        for (Object w : writes) {
            if (!isWrite(w)) {
                throw new IllegalArgumentException("a batch of leader writes holds " + (w == null ? "null"
                        : "a " + w.getClass().getName()));
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return "LeaderWritesRequest{" + writes().size() + " writes}";
    }
}
