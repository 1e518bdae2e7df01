package dev.registry.examples.sofarpc;

import com.alipay.sofa.rpc.config.ProviderConfig;
import com.alipay.sofa.rpc.config.RegistryConfig;
import com.alipay.sofa.rpc.config.ServerConfig;

/**
 * A SOFARPC provider: {@code DemoProvider NAME BOLT_PORT REGISTRY_ADMIN_PORT [REGISTRY_HOST]} exports
 * {@link HelloService} (version 1.0) on 127.0.0.1:BOLT_PORT over Bolt, registers it with the registry
 * through SOFARPC's own {@code sofa} registry module pointed at a session's admin HTTP port
 * (REGISTRY_HOST default 127.0.0.1), prints {@code READY} and runs until it is stopped. Each call
 * answers {@code hello <who> from NAME}. One provider of a service per JVM, as SOFARPC expects.
 */
public final class DemoProvider {
    private DemoProvider() {
    }

    public static void main(String[] args) throws InterruptedException {
        Logging.quiet();
        if (args.length < 3) {
            System.err.println("usage: DemoProvider NAME BOLT_PORT REGISTRY_ADMIN_PORT [REGISTRY_HOST]");
            System.exit(2);
        }
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        String registryHost = args.length > 3 ? args[3] : "127.0.0.1";
        RegistryConfig registry = new RegistryConfig().setProtocol("sofa").setAddress(registryHost + ":" + args[2]);
        // Host and virtual host: bind and register 127.0.0.1, not SOFARPC's pick (the first non-loopback address).
        ServerConfig server = new ServerConfig().setProtocol("bolt").setHost("127.0.0.1").setVirtualHost("127.0.0.1")
                .setPort(port).setDaemon(false);
        HelloService impl = who -> "hello " + who + " from " + name;
        new ProviderConfig<HelloService>().setInterfaceId(HelloService.class.getName()).setVersion("1.0")
                .setRef(impl).setServer(server).setRegistry(registry).export();
        System.out.println("READY " + name + " 127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join(); // the Bolt server's threads serve; stop with Ctrl-C or a signal
    }
}
