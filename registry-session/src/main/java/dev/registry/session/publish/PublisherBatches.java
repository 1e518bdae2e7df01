package dev.registry.session.publish;

import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.RegisterPublishersRequest;
import dev.registry.common.protocol.RegisterPublishersResponse;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcError;
import dev.registry.common.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Answers a {@link RegisterPublishersRequest}: each registration is handled exactly as a single
 * {@link RegisterPublisherRequest} (validation, ownership, limits, the sync to the slot leader),
 * and the answer holds each one's outcome in order once all are known. A refused registration
 * gets the error a single request would have got; the others go on.
 */
public final class PublisherBatches {
    private static final Logger log = LoggerFactory.getLogger(PublisherBatches.class);

    private PublisherBatches() {
    }

    /**
     * @param single handles one registration as the single request's handler does: returns the
     *               RegisterAck or a stage of it, or throws
     */
    public static CompletableFuture<RegisterPublishersResponse> handle(RegisterPublishersRequest batch,
                                                                       Function<RegisterPublisherRequest, Object> single,
                                                                       Object from) {
        List<Publisher> publishers = batch.validate().publishers();
        List<CompletableFuture<Object>> outcomes = new ArrayList<>(publishers.size());
        for (Publisher p : publishers) {
            outcomes.add(outcomeOf(single, new RegisterPublisherRequest(p), from));
        }
        return CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
            List<Object> answers = new ArrayList<>(outcomes.size());
            for (CompletableFuture<Object> o : outcomes) {
                answers.add(o.join()); // never fails: outcomeOf turns failures into RpcErrors
            }
            return new RegisterPublishersResponse(answers);
        });
    }

    private static CompletableFuture<Object> outcomeOf(Function<RegisterPublisherRequest, Object> single,
                                                      RegisterPublisherRequest request, Object from) {
        CompletableFuture<Object> result;
        try {
            Object answer = single.apply(request);
            result = answer instanceof CompletionStage<?> stage ? stage.toCompletableFuture().thenApply(Object.class::cast)
                    : CompletableFuture.completedFuture(answer);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((answer, error) -> error == null ? answer : errorOf(error, request, from));
    }

    private static RpcError errorOf(Throwable error, RegisterPublisherRequest request, Object from) {
        RpcError expected = RpcException.expectedError(error);
        if (expected != null) {
            return expected;
        }
        log.error("registration {} in a batch from {} failed", request.publisher().registerId(), from, error);
        return new RpcError(ErrorCode.SERVER_ERROR, "RegisterPublisherRequest failed: " + error, 0);
    }
}
