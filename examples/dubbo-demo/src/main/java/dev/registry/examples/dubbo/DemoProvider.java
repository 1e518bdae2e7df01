package dev.registry.examples.dubbo;

import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

/**
 * A Dubbo provider: {@code DemoProvider NAME DUBBO_PORT REGISTRY_ADDRESS} exports
 * {@link GreetingService} over the dubbo protocol on 127.0.0.1:DUBBO_PORT, registers it through the
 * registry at REGISTRY_ADDRESS ({@code sharded://host:port}, or just {@code host:port}), prints
 * {@code READY NAME 127.0.0.1:DUBBO_PORT} and runs until it is stopped. Each call answers
 * {@code hello <who> from NAME}.
 *
 * <p>The application is {@code dubbo-demo-provider} for every instance ({@code -Ddemo.application}
 * changes it) and registers in Dubbo's default register mode {@code all}: the interface-level URL
 * (group {@code DUBBO_PROVIDERS}), the application instance ({@code DUBBO_APPS}) and the
 * interface-to-application mapping ({@code DUBBO_MAPPING}). Ctrl-C or SIGTERM: Dubbo's shutdown hook
 * unregisters first.
 */
public final class DemoProvider {
    private DemoProvider() {
    }

    public static void main(String[] args) throws InterruptedException {
        Demo.defaults();
        if (args.length < 3) {
            System.err.println("usage: DemoProvider NAME DUBBO_PORT REGISTRY_ADDRESS");
            System.exit(2);
        }
        String name = args[0];
        int port = Integer.parseInt(args[1]);

        ProtocolConfig protocol = new ProtocolConfig("dubbo", port);
        protocol.setHost("127.0.0.1"); // bind and register 127.0.0.1, not Dubbo's pick of a network address
        ServiceConfig<GreetingService> service = new ServiceConfig<>();
        service.setInterface(GreetingService.class);
        service.setRef(who -> "hello " + who + " from " + name);

        DubboBootstrap.getInstance()
                .application(Demo.application(System.getProperty("demo.application", "dubbo-demo-provider")))
                .registry(Demo.registry(args[2]))
                .protocol(protocol)
                .service(service)
                .start(); // returns once the service is exported and registered
        System.out.println("READY " + name + " 127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join(); // Dubbo's server threads serve; stop with Ctrl-C or a signal
    }
}
