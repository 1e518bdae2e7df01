package dev.registry.dubbo;

import dev.registry.client.RegistryClient;
import dev.registry.server.EmbeddedRegistry;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.registry.NotifyListener;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.RegistryFactory;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The interface-level registry through Dubbo's {@code RegistryFactory} SPI, without RPC: what a
 * subscriber is notified of (admin tools' {@code interface=*}, group wildcards, {@code empty://}
 * when a category empties) against a real embedded registry.
 */
class ShardedRegistryTest {
    private EmbeddedRegistry node;
    private final List<ApplicationModel> applications = new ArrayList<>();
    private final List<Registry> registries = new ArrayList<>();
    private String address;

    @BeforeEach
    void startRegistry() {
        node = EmbeddedRegistry.start();
        address = "sharded://127.0.0.1:" + node.clientPort() + "?file-cache=false";
    }

    @AfterEach
    void stop() {
        registries.forEach(Registry::destroy);
        applications.forEach(ApplicationModel::destroy);
        FrameworkModel.destroyAll();
        if (node != null) {
            node.close();
        }
        ThreadLeaks.assertNoneLeft();
    }

    /** A registry of its own application (Dubbo caches one registry per address and application). */
    private Registry registry(String application) {
        ApplicationModel app = FrameworkModel.defaultModel().newApplication();
        app.getApplicationConfigManager().setApplication(new ApplicationConfig(application));
        applications.add(app);
        Registry r = app.getExtensionLoader(RegistryFactory.class).getExtension("sharded")
                .getRegistry(URL.valueOf(address).setScopeModel(app));
        registries.add(r);
        return r;
    }

    private static URL provider(String serviceInterface, String group, int port) {
        return URL.valueOf("dubbo://10.0.0.1:" + port + "/" + serviceInterface + "?interface=" + serviceInterface
                + "&group=" + group + "&version=1.0&side=provider&category=providers&methods=greet");
    }

    /** The last provider list notified per interface. */
    private static final class Recorder implements NotifyListener {
        final Map<String, List<URL>> providers = new ConcurrentHashMap<>();

        @Override
        public void notify(List<URL> urls) {
            if (!urls.isEmpty() && "providers".equals(urls.get(0).getCategory("providers"))) {
                providers.put(urls.get(0).getServiceInterface(), List.copyOf(urls));
            }
        }

        List<String> addressesOf(String serviceInterface) {
            List<String> out = new ArrayList<>();
            for (URL u : providers.getOrDefault(serviceInterface, List.of())) {
                out.add(u.getProtocol() + "://" + u.getAddress() + "?group=" + u.getGroup(""));
            }
            return out;
        }
    }

    @Test
    void anyInterfaceSubscriptionFollowsTheCatalogAndAnEmptiedCategoryComesAsAnEmptyUrl() {
        Registry providers = registry("providers-app");
        Registry admin = registry("admin-app");
        providers.register(provider("com.example.Foo", "a", 20880));

        Recorder recorder = new Recorder();
        admin.subscribe(URL.valueOf("admin://10.0.0.9/*?interface=*&group=*&version=*&classifier=*&enabled=*"
                + "&category=providers,consumers,routers,configurators&check=false"), recorder);
        // Known interfaces are notified before subscribe returns.
        assertThat(recorder.addressesOf("com.example.Foo")).containsExactly("dubbo://10.0.0.1:20880?group=a");

        providers.register(provider("com.example.Bar", "b", 20881)); // a new interface: found through the catalog
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
                assertThat(recorder.addressesOf("com.example.Bar")).containsExactly("dubbo://10.0.0.1:20881?group=b"));

        providers.unregister(provider("com.example.Foo", "a", 20880));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
                assertThat(recorder.addressesOf("com.example.Foo")).containsExactly("empty://10.0.0.9?group=*"));
    }

    @Test
    void aProviderWhoseSessionConnectionDropsLeavesItsConsumersWithinASecond() {
        // A registry over a client of the test's own: closing that client is the process dying
        // (no unregister), and the session withdraws its publishers with the connection.
        ApplicationModel app = FrameworkModel.defaultModel().newApplication();
        app.getApplicationConfigManager().setApplication(new ApplicationConfig("crashing-app"));
        applications.add(app);
        URL url = URL.valueOf(address).setScopeModel(app);
        RegistryClient client = ShardedClients.start(url);
        Registry crashing = new ShardedRegistry(url, client);
        registries.add(crashing);
        crashing.register(provider("com.example.Foo", "a", 20880));

        Recorder recorder = new Recorder();
        registry("consumer-app").subscribe(URL.valueOf("consumer://10.0.0.9/com.example.Foo?interface=com.example.Foo"
                + "&group=a&version=1.0&category=providers&check=false"), recorder);
        assertThat(recorder.addressesOf("com.example.Foo")).containsExactly("dubbo://10.0.0.1:20880?group=a");

        client.close();
        assertThat(crashing.isAvailable()).isFalse();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
                assertThat(recorder.addressesOf("com.example.Foo")).containsExactly("empty://10.0.0.9?group=a"));
    }

    @Test
    void groupAndVersionAreMatchedOnTheSubscriberWildcardsIncluded() {
        Registry providers = registry("providers-app");
        Registry consumers = registry("consumer-app");
        providers.register(provider("com.example.Foo", "a", 20880));
        providers.register(provider("com.example.Foo", "b", 20881));
        providers.register(URL.valueOf("dubbo://10.0.0.1:20882/com.example.Foo?interface=com.example.Foo"
                + "&group=a&version=2.0&side=provider&category=providers"));

        Recorder groupA = new Recorder();
        Recorder anyGroup = new Recorder();
        consumers.subscribe(URL.valueOf("consumer://10.0.0.9/com.example.Foo?interface=com.example.Foo&group=a"
                + "&version=1.0&category=providers&check=false"), groupA);
        consumers.subscribe(URL.valueOf("consumer://10.0.0.9/com.example.Foo?interface=com.example.Foo&group=*"
                + "&version=1.0&category=providers&check=false"), anyGroup);

        assertThat(groupA.addressesOf("com.example.Foo")).containsExactly("dubbo://10.0.0.1:20880?group=a");
        assertThat(anyGroup.addressesOf("com.example.Foo"))
                .containsExactlyInAnyOrder("dubbo://10.0.0.1:20880?group=a", "dubbo://10.0.0.1:20881?group=b");

        providers.unregister(provider("com.example.Foo", "a", 20880));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            assertThat(groupA.addressesOf("com.example.Foo")).containsExactly("empty://10.0.0.9?group=a");
            assertThat(anyGroup.addressesOf("com.example.Foo")).containsExactly("dubbo://10.0.0.1:20881?group=b");
        });
        assertThat(providers.isAvailable()).isTrue();
    }
}
