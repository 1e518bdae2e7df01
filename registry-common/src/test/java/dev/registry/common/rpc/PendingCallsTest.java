package dev.registry.common.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class PendingCallsTest {
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    PendingCallsTest() {
        timer.setRemoveOnCancelPolicy(true); // a cancelled timeout leaves the queue: observable below
    }
    private final PendingCalls calls = new PendingCalls();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void anAnsweredCallIsTakenOnceAndItsTimeoutIsCancelled() {
        CompletableFuture<Object> result = new CompletableFuture<>();
        calls.register(1, result, timer, Duration.ofMillis(50), () -> "late");

        assertThat(timer.getQueue()).hasSize(1);

        assertThat(calls.take(1)).isSameAs(result);
        assertThat(calls.take(1)).as("a duplicate response finds nothing").isNull();
        assertThat(timer.getQueue()).as("the timeout was cancelled").isEmpty();
        assertThat(calls.size()).isZero();
    }

    @Test
    void anUnansweredCallTimesOutWithItsMessageAndLeavesNothing() {
        CompletableFuture<Object> result = new CompletableFuture<>();
        calls.register(7, result, timer, Duration.ofMillis(20), () -> "no answer from x");

        await().atMost(Duration.ofSeconds(5)).until(result::isDone);
        assertThatThrownBy(result::join).hasCauseInstanceOf(RpcException.class).hasMessageContaining("no answer from x");
        assertThat(RpcException.unwrap(result.handle((v, e) -> e).join()).code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(calls.size()).isZero();
        assertThat(calls.take(7)).as("a response after the timeout is late").isNull();
    }

    @Test
    void closingFailsEveryWaitingCall() {
        CompletableFuture<Object> a = new CompletableFuture<>();
        CompletableFuture<Object> b = new CompletableFuture<>();
        calls.register(1, a, timer, Duration.ofSeconds(30), () -> "late");
        calls.register(2, b, timer, Duration.ofSeconds(30), () -> "late");

        calls.failAll(() -> new RpcException(ErrorCode.CONNECTION_CLOSED, "closed"));

        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
        assertThat(calls.size()).isZero();
    }

    @Test
    void failingAnAnsweredCallChangesNothing() {
        CompletableFuture<Object> result = new CompletableFuture<>();
        calls.register(3, result, timer, Duration.ofSeconds(30), () -> "late");
        calls.take(3).complete("ok");

        calls.fail(3, new RpcException(ErrorCode.CONNECTION_CLOSED, "closed"));

        assertThat(result).isCompletedWithValue("ok");
    }
}
