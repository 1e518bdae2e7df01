package dev.registry.common.protocol;

import dev.registry.common.rpc.RpcError;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Slot leader -> session: the outcome of each write of a {@link LeaderWritesRequest}, in its
 * order: the {@link WriteResult} or the {@link RpcError} the write alone would have been answered
 * with (NOT_LEADER for a slot the server does not lead, say). One failing does not fail the others.
 * Wire DTO.
 */
public final class LeaderWritesResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Each a WriteResult or an RpcError; ArrayList so that Hessian builds it from allow-listed classes. */
    private ArrayList<Object> outcomes;

    @SuppressWarnings("unused")
    private LeaderWritesResponse() {
    }

    public LeaderWritesResponse(List<?> outcomes) {
        for (Object o : outcomes) {
            if (!(o instanceof WriteResult) && !(o instanceof RpcError)) {
                throw new IllegalArgumentException("an outcome is a WriteResult or an RpcError, not " + o);
            }
        }
        this.outcomes = new ArrayList<>(outcomes);
    }

    /** Each a {@link WriteResult} or an {@link RpcError}. */
    public List<Object> outcomes() {
        return outcomes == null ? List.of() : outcomes;
    }

    @Override
    public String toString() {
        return "LeaderWritesResponse{" + outcomes().size() + " outcomes}";
    }
}
