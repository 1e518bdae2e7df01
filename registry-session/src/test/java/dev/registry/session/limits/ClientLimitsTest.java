package dev.registry.session.limits;

import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientLimitsTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ClientLimits limits = new ClientLimits(new ClientLimits.Settings(0, 0, 3, 2, 10, 5), nanos::get);

    @Test
    void aBurstPassesThenTheRateHolds() {
        for (int i = 0; i < 5; i++) {
            limits.checkRate("c");
        }
        assertThatThrownBy(() -> limits.checkRate("c")).isInstanceOfSatisfying(RpcException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE)).hasMessageContaining("rate limit");
        nanos.addAndGet(100_000_000L); // 0.1 s at 10/s: one more
        limits.checkRate("c");
        assertThatThrownBy(() -> limits.checkRate("c")).isInstanceOf(RpcException.class);
        assertThatCode(() -> limits.checkRate("other")).as("per connection").doesNotThrowAnyException();
        nanos.addAndGet(10_000_000_000L); // a long quiet time refills only up to the burst
        for (int i = 0; i < 5; i++) {
            limits.checkRate("c");
        }
        assertThatThrownBy(() -> limits.checkRate("c")).isInstanceOf(RpcException.class);
    }

    @Test
    void capsRefuseTheOneTooManyWithAClearError() {
        limits.checkPublishers(2);
        assertThatThrownBy(() -> limits.checkPublishers(3)).isInstanceOfSatisfying(RpcException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST)).hasMessageContaining("at most 3 publishers");
        limits.checkSubscribers(1);
        assertThatThrownBy(() -> limits.checkSubscribers(2)).hasMessageContaining("at most 2 subscribers");
    }

    @Test
    void zeroMeansNoLimit() {
        ClientLimits none = new ClientLimits(ClientLimits.Settings.unlimited(), nanos::get);
        for (int i = 0; i < 100_000; i++) {
            none.checkRate("c");
        }
        none.checkPublishers(Integer.MAX_VALUE - 1);
        none.checkSubscribers(Integer.MAX_VALUE - 1);
    }

    @Test
    void aForgottenConnectionStartsWithAFullBurst() {
        for (int i = 0; i < 5; i++) {
            limits.checkRate("c");
        }
        limits.forget("c");
        assertThatCode(() -> limits.checkRate("c")).doesNotThrowAnyException();
    }
}
