package dev.registry.common.protocol;

import dev.registry.common.rpc.RpcError;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Session -> client: the outcome of each registration of a {@link RegisterPublishersRequest}, in
 * its order: a {@link RegisterAck} (the slot leader stored it) or the {@link RpcError} a single
 * request would have been answered with. One registration failing does not fail the others.
 * Wire DTO.
 */
public final class RegisterPublishersResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Each a RegisterAck or an RpcError; ArrayList so that Hessian builds it from allow-listed classes. */
    private ArrayList<Object> outcomes;

    @SuppressWarnings("unused")
    private RegisterPublishersResponse() {
    }

    public RegisterPublishersResponse(List<?> outcomes) {
        for (Object o : outcomes) {
            if (!(o instanceof RegisterAck) && !(o instanceof RpcError)) {
                throw new IllegalArgumentException("an outcome is a RegisterAck or an RpcError, not " + o);
            }
        }
        this.outcomes = new ArrayList<>(outcomes);
    }

    /** Each a {@link RegisterAck} or an {@link RpcError}. */
    public List<Object> outcomes() {
        return outcomes == null ? List.of() : outcomes;
    }

    @Override
    public String toString() {
        return "RegisterPublishersResponse{" + outcomes().size() + " outcomes}";
    }
}
