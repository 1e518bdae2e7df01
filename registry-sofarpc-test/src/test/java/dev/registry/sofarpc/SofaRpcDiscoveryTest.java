package dev.registry.sofarpc;

import com.alipay.sofa.rpc.config.ConsumerConfig;
import com.alipay.sofa.rpc.config.RegistryConfig;
import com.alipay.sofa.rpc.context.RpcRuntimeContext;
import com.alipay.sofa.rpc.core.exception.SofaRouteException;
import dev.registry.server.EmbeddedRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * SOFARPC 5.13.2, unmodified, with its own {@code sofa} registry module pointed at a session's
 * admin port ({@code sofa://HOST:ADMIN_PORT}), against a real registry embedded in the test
 * (issue 19): a consumer calls a provider, then reaches two, leaves one killed with
 * {@code kill -9} within 1 s, and is told there is no provider within 1 s of the last one's
 * death. Providers run in processes of their own.
 */
class SofaRpcDiscoveryTest {
    static {
        // sofa-common-tools' logging bridge cannot configure logback 1.5+; skip the attempt.
        System.setProperty("logback.middleware.log.disable", "true");
    }

    /** The SOFARPC service both sides share. */
    public interface Greeter {
        String greet(String name);
    }

    private EmbeddedRegistry registry;
    private final List<Process> providers = new ArrayList<>();
    private final List<ConsumerConfig<Greeter>> consumers = new ArrayList<>();

    @BeforeEach
    void startRegistry() {
        registry = EmbeddedRegistry.start(true);
    }

    @AfterEach
    void stop() throws InterruptedException {
        consumers.forEach(ConsumerConfig::unRefer);
        for (Process p : providers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        RpcRuntimeContext.destroy();
        if (registry != null) {
            registry.close();
        }
    }

    private RegistryConfig registryConfig() {
        return new RegistryConfig().setProtocol("sofa").setAddress("127.0.0.1:" + registry.adminPort());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A provider in a process of its own (SOFARPC keeps one provider of a service per JVM). */
    private Process provider(String name) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), GreeterProviderMain.class.getName(), name,
                String.valueOf(freePort()), String.valueOf(registry.adminPort()))
                .redirectErrorStream(true).start();
        providers.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Thread drain = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.equals("READY")) {
                        ready.add(name);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "provider-" + name + "-output");
        drain.setDaemon(true);
        drain.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> ready.contains(name) || !p.isAlive());
        assertThat(p.isAlive()).as("provider %s started", name).isTrue();
        return p;
    }

    private final Set<String> ready = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Greeter consumer() {
        ConsumerConfig<Greeter> c = new ConsumerConfig<Greeter>().setInterfaceId(Greeter.class.getName())
                .setRegistry(registryConfig()).setTimeout(3000);
        consumers.add(c);
        return c.refer();
    }

    private static Set<String> providersReached(Greeter greeter, int calls) {
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < calls; i++) {
            String answer = greeter.greet("x");
            reached.add(answer.substring(answer.lastIndexOf(' ') + 1));
        }
        return reached;
    }

    @Test
    void aConsumerFindsItsProvidersAndLosesAKilledOneWithinASecond() throws Exception {
        Process a = provider("A");
        Greeter greeter = consumer();
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> providersReached(greeter, 1)
                .equals(Set.of("A")));

        Process b = provider("B");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> providersReached(greeter, 20).equals(Set.of("A", "B")));

        // kill -9 of A: calls to it may fail until the registry's push arrives; within 1 s only B is chosen.
        a.destroyForcibly();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
                .until(() -> providersReached(greeter, 20).equals(Set.of("B")));
        assertThat(providersReached(greeter, 50)).containsExactly("B");

        b.destroyForcibly();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> {
            try {
                greeter.greet("x");
                return false;
            } catch (SofaRouteException e) {
                return true; // no provider address left: told by the registry, not a timeout
            } catch (RuntimeException e) {
                return false; // a call to B while its death is being pushed
            }
        });
        assertThatThrownBy(() -> greeter.greet("x")).isInstanceOf(SofaRouteException.class)
                .hasMessageContaining("Cannot get the service address");
    }
}
