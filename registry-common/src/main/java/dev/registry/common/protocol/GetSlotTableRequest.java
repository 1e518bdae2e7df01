package dev.registry.common.protocol;

import java.io.Serializable;

/** Any -> meta: the current slot table. Wire DTO. */
public final class GetSlotTableRequest implements Serializable {
    private static final long serialVersionUID = 1L;


    public GetSlotTableRequest() {
    }

    @Override
    public String toString() {
        return "GetSlotTableRequest{" + "}";
    }
}
