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

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
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
        int n = publishers.size();
        Object[] answers = new Object[n];
        // One counter for the batch rather than a future chain per registration and an allOf tree.
        AtomicInteger open = new AtomicInteger(n);
        CompletableFuture<RegisterPublishersResponse> response = new CompletableFuture<>();
        for (int i = 0; i < n; i++) {
            int at = i;
            RegisterPublisherRequest request = new RegisterPublisherRequest(publishers.get(i));
            BiConsumer<Object, Throwable> done = (answer, error) -> {
                answers[at] = error == null ? answer : errorOf(error, request, from);
                if (open.decrementAndGet() == 0) {
                    response.complete(new RegisterPublishersResponse(Arrays.asList(answers)));
                }
            };
            Object answer;
            try {
                answer = single.apply(request);
            } catch (RuntimeException e) {
                done.accept(null, e);
                continue;
            }
            if (answer instanceof CompletionStage<?> stage) {
                stage.whenComplete(done);
            } else {
                done.accept(answer, null);
            }
        }
        return response;
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
