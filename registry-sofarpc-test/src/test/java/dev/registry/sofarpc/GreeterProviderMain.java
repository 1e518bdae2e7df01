package dev.registry.sofarpc;

import com.alipay.sofa.rpc.config.ProviderConfig;
import com.alipay.sofa.rpc.config.RegistryConfig;
import com.alipay.sofa.rpc.config.ServerConfig;

import java.io.IOException;

/**
 * A SOFARPC provider process: {@code GreeterProviderMain NAME BOLT_PORT REGISTRY_ADMIN_PORT}
 * exports {@link SofaRpcDiscoveryTest.Greeter} on 127.0.0.1:BOLT_PORT through the {@code sofa}
 * registry, prints {@code READY}, and runs until killed or its stdin closes (its parent, the
 * test, went away). One provider per process, as SOFARPC expects.
 */
public final class GreeterProviderMain {
    private GreeterProviderMain() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("logback.middleware.log.disable", "true");
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        RegistryConfig registry = new RegistryConfig().setProtocol("sofa").setAddress("127.0.0.1:" + args[2]);
        ServerConfig server = new ServerConfig().setProtocol("bolt").setHost("127.0.0.1").setVirtualHost("127.0.0.1")
                .setPort(port).setDaemon(false);
        new ProviderConfig<SofaRpcDiscoveryTest.Greeter>().setInterfaceId(SofaRpcDiscoveryTest.Greeter.class.getName())
                .setRef(who -> "hello " + who + " from " + name).setServer(server).setRegistry(registry).export();
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our stdin
        }
        System.exit(0);
    }
}
