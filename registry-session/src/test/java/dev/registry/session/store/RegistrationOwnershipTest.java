package dev.registry.session.store;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RegistrationOwnershipTest {
    private final Set<String> open = new HashSet<>();
    private final Map<String, String> clients = new HashMap<>();
    private final Map<String, String> ips = new HashMap<>();
    private final RegistrationOwnership ownership = new RegistrationOwnership(new RegistrationOwnership.Connections() {
        @Override
        public boolean isOpen(String connectionId) {
            return open.contains(connectionId);
        }

        @Override
        public String clientOf(String connectionId) {
            return clients.get(connectionId);
        }

        @Override
        public String remoteIpOf(String connectionId) {
            return ips.get(connectionId);
        }
    });

    private void connection(String id, String client, String ip) {
        open.add(id);
        if (client != null) {
            clients.put(id, client);
        }
        ips.put(id, ip);
    }

    @Test
    void theHoldingConnectionMayAlways() {
        connection("c1", "alice", "10.0.0.1");
        assertThat(ownership.mayChange("c1", "c1")).isTrue();
    }

    @Test
    void anotherClientIsRefusedWhileTheHolderIsConnected() {
        connection("c1", "alice", "10.0.0.1");
        connection("c2", "mallory", "10.0.0.1");
        assertThat(ownership.mayChange("c1", "c2")).isFalse();
        connection("c3", null, "10.0.0.1"); // no hello: not the same client as one that named itself
        assertThat(ownership.mayChange("c1", "c3")).isFalse();
    }

    @Test
    void theSameClientOnANewConnectionMayTakeOver() {
        connection("c1", "alice", "10.0.0.1");
        connection("c2", "alice", "10.0.0.9"); // reconnected through another path before c1 was noticed dead
        assertThat(ownership.mayChange("c1", "c2")).isTrue();
    }

    @Test
    void clientsWithoutIdentityAreTheSameClientFromTheSameIp() {
        connection("c1", null, "10.0.0.1");
        connection("c2", null, "10.0.0.1");
        connection("c3", null, "10.0.0.2");
        assertThat(ownership.mayChange("c1", "c2")).isTrue();
        assertThat(ownership.mayChange("c1", "c3")).isFalse();
    }

    @Test
    void aRegistrationOfAClosedConnectionMayBeReclaimed() {
        connection("c2", "bob", "10.0.0.2");
        assertThat(ownership.mayChange("c1", "c2")).as("c1 closed: held by damping or a move").isTrue();
        assertThat(ownership.mayChange(null, "c2")).isTrue();
    }
}
