package dev.registry.server;

import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.client.Subscription;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.UnregisterPublisherRequest;
import dev.registry.common.protocol.UnregisterSubscriberRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.session.SessionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A registration belongs to the client that made it (issue 17): the attack of the issue (a
 * provider's registerId, then an unregister from an unrelated connection) and its variants are
 * refused, and the live provider stays listed for every subscriber. Real sessions and data
 * servers; the attacker speaks the wire protocol on its own connections.
 */
class RegistrationOwnershipTest {
    private static final DataInfoId ID = DataInfoId.of("svc.owned");
    private static final String VICTIM = "10.1.1.1:8080";

    private TestCluster cluster;
    private RpcClient attacker;

    @AfterEach
    void tearDown() {
        if (attacker != null) {
            attacker.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anotherConnectionCannotRemoveReplaceOrUnsubscribeWhatAClientRegistered() throws Exception {
        cluster = new TestCluster(1, 2);
        SessionServer session = cluster.sessions.get(0);
        RegistryClient victim = cluster.client(session);
        Publication publication = victim.publish(ID, List.of(VICTIM));
        RecordingObserver victimSees = new RecordingObserver();
        Subscription subscription = victim.subscribe(ID, victimSees);
        RecordingObserver otherSees = new RecordingObserver();
        cluster.client(cluster.sessions.get(1)).subscribe(ID, otherSees);
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of(VICTIM).equals(otherSees.lastValues())
                && List.of(VICTIM).equals(victimSees.lastValues()));
        String registerId = publication.registerId();

        attacker = new RpcClient("attacker", RpcConfig.clientDefaults(), WireClasses.serializer(), new HandlerRegistry(),
                new ConnectionListener() { });
        RpcConnection same = attacker.connect("127.0.0.1", session.port()).get();
        assertForbidden(same, new UnregisterPublisherRequest(ID, registerId));
        assertForbidden(same, new RegisterPublisherRequest(new Publisher(ID, registerId, Long.MAX_VALUE,
                List.of("10.6.6.6:1"), "test", null, "", 0, null, null)));
        assertForbidden(same, new UnregisterSubscriberRequest(ID, subscription.registerId()));

        // Through the other session, with another app name: the slot leader refuses the takeover.
        RpcConnection other = attacker.connect("127.0.0.1", cluster.sessions.get(1).port()).get();
        assertForbidden(other, new RegisterPublisherRequest(new Publisher(ID, registerId, Long.MAX_VALUE,
                List.of("10.6.6.6:1"), "attacker-app", null, "", 0, null, null)));

        // Nothing changed for anyone: the provider is listed, the victim's subscription still pushed.
        assertThat(cluster.leaderDatum(ID).values()).containsExactly(VICTIM);
        assertThat(cluster.sessions.get(1).publishers().publishersOf(ID)).as("the refused one is not kept").isEmpty();
        assertThat(otherSees.received).allMatch(d -> d.values().equals(List.of(VICTIM)) || d.version() == 0);
        victim.publish(ID, List.of("10.1.1.2:8080"));
        await().atMost(Duration.ofSeconds(10)).until(() -> victimSees.lastValues().size() == 2
                && otherSees.lastValues().size() == 2);
        // The owner itself still may.
        publication.unregister();
        await().atMost(Duration.ofSeconds(10)).until(() -> List.of("10.1.1.2:8080").equals(otherSees.lastValues()));
    }

    @Test
    void adminReadsShowRegisterIdsOnlyWithTheToken() throws Exception {
        cluster = new TestCluster(1, 1);
        SessionServer session = cluster.sessions.get(0);
        Publication p = cluster.client(session).publish(ID, List.of(VICTIM));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.leaderDatum(ID).values().contains(VICTIM));
        HttpClient http = HttpClient.newHttpClient();
        String uri = "http://127.0.0.1:" + session.adminPort() + "/api/v1/datum?dataId=svc.owned";
        String open = http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        String admin = http.send(HttpRequest.newBuilder(URI.create(uri))
                .header("Authorization", "Bearer " + TestCluster.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(open).contains(VICTIM).doesNotContain(p.registerId()).doesNotContain("registerId");
        assertThat(admin).contains(p.registerId());
    }

    private static void assertForbidden(RpcConnection connection, Object request) {
        assertThatThrownBy(() -> {
            try {
                connection.call(request, Duration.ofSeconds(10)).get();
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        }).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(e.getMessage()).contains("belongs to another");
        });
    }
}
