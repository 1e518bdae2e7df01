package dev.registry.data;

import dev.registry.common.protocol.LeaderWritesRequest;
import dev.registry.common.protocol.LeaderWritesResponse;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcError;
import dev.registry.common.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Answers a session's {@link LeaderWritesRequest}: each write carried out as it would be alone,
 * in order, its refusal (NOT_LEADER, a bad request) its own outcome; an unexpected failure of one
 * is logged and answered as SERVER_ERROR for that write alone, as the RPC layer answers a single
 * request.
 */
final class LeaderWrites {
    private static final Logger log = LoggerFactory.getLogger(LeaderWrites.class);

    private LeaderWrites() {
    }

    /** @param single carries out one WritePublisherRequest or RemovePublisherRequest; returns its WriteResult or throws */
    static LeaderWritesResponse answer(LeaderWritesRequest request, Function<Object, Object> single, Object from) {
        List<Object> writes = request.validate().writes();
        List<Object> outcomes = new ArrayList<>(writes.size());
        for (Object write : writes) {
            try {
                outcomes.add(single.apply(write));
            } catch (RuntimeException e) {
                RpcError expected = RpcException.expectedError(e);
                if (expected == null) {
                    log.error("{} in a batch from {} failed", write.getClass().getSimpleName(), from, e);
                    expected = new RpcError(ErrorCode.SERVER_ERROR, write.getClass().getSimpleName() + " failed: " + e, 0);
                }
                outcomes.add(expected);
            }
        }
        return new LeaderWritesResponse(outcomes);
    }
}
