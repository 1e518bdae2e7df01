package dev.registry.dubbo;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.cluster.ClusterInvoker;
import org.apache.dubbo.rpc.model.FrameworkModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * One Dubbo application. A provider gets a {@link FrameworkModel} of its own (a framework model
 * serves one provider per service key, whatever the port) which it destroys when it stops, as a
 * process would end; the consumer lives in the default framework model: Dubbo 3.3's remoting
 * falls back to the default model in places, and were that a provider's, the provider's stop
 * would close the consumer's clients. {@link #destroyAll()} ends the rest once every application
 * stopped. QoS is off: it would bind one fixed port for all.
 */
final class DubboApp implements AutoCloseable {
    static {
        // Dubbo waits up to 10 s per protocol server for in-flight requests on stop; tests have none.
        System.setProperty("dubbo.service.shutdown.wait", "200");
    }

    private final FrameworkModel framework;
    private final DubboBootstrap bootstrap;
    private ReferenceConfig<GreetingService> reference;
    private boolean stopped;

    private DubboApp(FrameworkModel framework, String name, String registryAddress, String registerMode) {
        this.framework = framework;
        this.bootstrap = DubboBootstrap.newInstance(framework);
        ApplicationConfig app = new ApplicationConfig(name);
        app.setQosEnable(false);
        if (registerMode != null) {
            app.setRegisterMode(registerMode);
        }
        bootstrap.application(app);
        RegistryConfig registry = new RegistryConfig(registryAddress);
        bootstrap.registry(registry);
    }

    /** A provider of {@link GreetingService} on a free port, answering with {@code id}. */
    static DubboApp provider(String name, String registryAddress, String registerMode, String id) {
        DubboApp a = new DubboApp(new FrameworkModel(), name, registryAddress, registerMode);
        ProtocolConfig protocol = new ProtocolConfig("dubbo", freePort());
        protocol.setHost("127.0.0.1");
        a.bootstrap.protocol(protocol);
        ServiceConfig<GreetingService> service = new ServiceConfig<>();
        service.setInterface(GreetingService.class);
        service.setRef(n -> "hello " + n + " from " + id);
        a.bootstrap.service(service);
        a.bootstrap.start();
        return a;
    }

    /** A consumer of {@link GreetingService}; no {@code provided-by}: found through the mapping at application level. */
    static DubboApp consumer(String name, String registryAddress) {
        DubboApp a = new DubboApp(FrameworkModel.defaultModel(), name, registryAddress, null);
        a.reference = new ReferenceConfig<>();
        a.reference.setInterface(GreetingService.class);
        a.reference.setCheck(false);
        a.reference.setTimeout(3000);
        a.reference.setRetries(0);
        a.bootstrap.reference(a.reference);
        a.bootstrap.start();
        return a;
    }

    GreetingService greeting() {
        return reference.get();
    }

    /** The provider ports the consumer's directory holds now (what the registry last notified). */
    List<Integer> providerPorts() {
        List<Integer> addresses = new ArrayList<>();
        Invoker<?> invoker = reference.getInvoker();
        if (invoker instanceof ClusterInvoker<?> cluster && cluster.getDirectory() != null) {
            for (Invoker<?> i : cluster.getDirectory().getAllInvokers()) {
                addresses.add(i.getUrl().getPort());
            }
        }
        return addresses;
    }

    int port() {
        return bootstrap.getApplicationModel().getApplicationConfigManager().getProtocols().iterator().next().getPort();
    }

    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            bootstrap.stop();
        } finally {
            if (framework != FrameworkModel.defaultModel()) {
                framework.destroy();
            }
        }
    }

    /** After every application stopped: protocol servers, clients and Dubbo's shared threads. */
    static void destroyAll() {
        FrameworkModel.destroyAll();
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
