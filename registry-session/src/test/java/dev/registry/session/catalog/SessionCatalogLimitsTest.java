package dev.registry.session.catalog;

import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionCatalogLimitsTest {
    private final SessionCatalog catalog = new SessionCatalog(null, null, null);

    @Test
    void aConnectionAsksAtMostFiftyPagesASecondAndOthersAreNotAffected() {
        for (int i = 0; i < SessionCatalog.QUERIES_PER_SECOND; i++) {
            catalog.checkQueryRate("c1", 10_000);
        }
        assertThatThrownBy(() -> catalog.checkQueryRate("c1", 10_999)).isInstanceOfSatisfying(RpcException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE)).hasMessageContaining("50 pages a second");
        catalog.checkQueryRate("c2", 10_999); // another connection has its own budget
        catalog.checkQueryRate("c1", 11_000); // the next second
    }
}
