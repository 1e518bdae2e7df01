package dev.registry.server;

import dev.registry.client.CatalogWatch;
import dev.registry.client.Publication;
import dev.registry.client.RegistryClient;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.CatalogPage;
import dev.registry.common.protocol.CatalogQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The catalog (issue 18): which ids have publishers, answered from every slot leader and pushed
 * to watchers of a group when it changes, on a real cluster (2 data servers, 2 sessions).
 */
class CatalogTest {
    private static final String GROUP = "CATALOG_TEST";
    private TestCluster cluster;
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        cluster = new TestCluster(2, 2);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        cluster.close();
    }

    private static DataInfoId service(String name) {
        return DataInfoId.of(name, GROUP, null);
    }

    @Test
    void theCatalogListsIdsWithPublishersFromEverySlotLeaderInPages() {
        RegistryClient publisher = cluster.client(cluster.sessions.get(0));
        RegistryClient reader = cluster.client(cluster.sessions.get(1));
        for (int i = 0; i < 30; i++) {
            publisher.publish(service("svc-" + i), List.of("10.0.0." + i + ":80"));
        }
        publisher.publish(service("svc-0"), List.of("10.0.1.0:80")); // a second publisher of one id
        publisher.publish(DataInfoId.of("elsewhere", "OTHER_GROUP", null), List.of("10.9.9.9:80"));
        Publication gone = publisher.publish(service("svc-gone"), List.of("10.0.2.0:80"));
        gone.unregister();

        List<DataInfoId> all = reader.services(GROUP);
        assertThat(all).hasSize(30).doesNotContain(service("svc-gone"), DataInfoId.of("elsewhere", "OTHER_GROUP", null));
        assertThat(all).isSortedAccordingTo((a, b) -> a.canonical().compareTo(b.canonical()));
        // The 30 ids lie in many slots, led by both data servers.
        assertThat(all.stream().map(id -> cluster.meta.slotTable().slot(cluster.meta.slotTable().slotOf(id)).leader())
                .distinct()).hasSize(2);

        CatalogPage first = reader.catalog(new CatalogQuery(GROUP, null, "svc-", null, 7));
        assertThat(first.ids()).hasSize(7).isEqualTo(all.subList(0, 7));
        assertThat(first.more()).isTrue();
        CatalogPage second = reader.catalog(new CatalogQuery(GROUP, null, "svc-", null, 7).after(first.ids().get(6)));
        assertThat(second.ids()).isEqualTo(all.subList(7, 14));
        int svc0 = all.indexOf(service("svc-0"));
        CatalogPage withCounts = reader.catalog(new CatalogQuery(GROUP, null, "svc-0", null, 10));
        assertThat(withCounts.ids()).containsExactly(all.get(svc0));
        assertThat(withCounts.publisherCounts()).containsExactly(2);

        assertThatThrownBy(() -> reader.catalog(new CatalogQuery(GROUP, null, null, null, 0)))
                .hasMessageContaining("catalog limit must be 1..");
    }

    @Test
    void aWatcherIsToldOfEveryIdThatGainsItsFirstOrLosesItsLastPublisher() {
        RegistryClient publisher = cluster.client(cluster.sessions.get(0));
        RegistryClient watcher = cluster.client(cluster.sessions.get(1));
        publisher.publish(service("orders"), List.of("10.0.0.1:80"));
        List<List<DataInfoId>> seen = new CopyOnWriteArrayList<>();
        CatalogWatch watch = watcher.watchCatalog(GROUP, seen::add);
        assertThat(seen).containsExactly(List.of(service("orders")));

        Publication payments = publisher.publish(service("payments"), List.of("10.0.0.2:80"));
        await().atMost(Duration.ofSeconds(5)).until(() -> watch.current().equals(List.of(service("orders"),
                service("payments"))));
        Publication secondPayments = publisher.publish(service("payments"), List.of("10.0.0.3:80"));
        payments.unregister(); // still one publisher: no change of the catalog
        publisher.publish(DataInfoId.of("noise", "OTHER_GROUP", null), List.of("10.9.9.9:80"));
        secondPayments.unregister();
        await().atMost(Duration.ofSeconds(5)).until(() -> watch.current().equals(List.of(service("orders"))));
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)).as("delivery %d is a real change", i).isNotEqualTo(seen.get(i - 1));
        }
        assertThat(seen).allSatisfy(ids -> assertThat(ids).doesNotContain(DataInfoId.of("noise", "OTHER_GROUP", null)));
        assertThat(seen).contains(List.of(service("orders"), service("payments")));

        watch.close();
        publisher.publish(service("inventory"), List.of("10.0.0.4:80"));
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.services(GROUP).contains(service("inventory")));
        assertThat(seen.get(seen.size() - 1)).as("no delivery after close").doesNotContain(service("inventory"));
    }

    @Test
    void aSubscriptionCanWaitForItsFirstList() throws Exception {
        RegistryClient publisher = cluster.client(cluster.sessions.get(0));
        publisher.publish(service("orders"), List.of("10.0.0.1:80"));
        RegistryClient subscriber = cluster.client(cluster.sessions.get(1));
        dev.registry.client.Subscription s = subscriber.subscribe(service("orders"), data -> { });
        assertThat(s.awaitFirst(Duration.ofSeconds(10))).hasValueSatisfying(d ->
                assertThat(d.values()).containsExactly("10.0.0.1:80"));
        dev.registry.client.Subscription empty = subscriber.subscribe(service("nobody"), data -> { });
        assertThat(empty.awaitFirst(Duration.ofSeconds(10))).as("an empty list is a first list too")
                .hasValueSatisfying(d -> assertThat(d.values()).isEmpty());
    }

    @Test
    void aWatchSurvivesTheClientMovingToAnotherSession() throws Exception {
        RegistryClient publisher = cluster.client(cluster.sessions.get(0));
        publisher.publish(service("orders"), List.of("10.0.0.1:80"));
        RegistryClient watcher = RegistryClient.start(dev.registry.client.RegistryClientConfig.builder(
                "127.0.0.1:" + cluster.sessions.get(0).port() + ",127.0.0.1:" + cluster.sessions.get(1).port())
                .requestTimeout(Duration.ofSeconds(10)).heartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build());
        closeables.add(watcher);
        CatalogWatch watch = watcher.watchCatalog(GROUP, ids -> { });
        var before = watcher.sessionAddress().orElseThrow();
        cluster.sessions.stream().filter(s -> s.port() == before.getPort()).findFirst().orElseThrow().close();
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.sessionAddress().isPresent()
                && watcher.sessionAddress().get().getPort() != before.getPort());
        RegistryClient stillUp = cluster.client(cluster.sessions.stream().filter(s -> s.port() != before.getPort())
                .findFirst().orElseThrow());
        stillUp.publish(service("payments"), List.of("10.0.0.2:80"));
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.current().contains(service("payments")));
    }
}
