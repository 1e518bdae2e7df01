package dev.registry.examples.dubbo;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.RegistryConfig;

/** What both mains share; {@link #defaults()} runs first, before any Dubbo class loads. */
final class Demo {
    private Demo() {
    }

    static void defaults() {
        // Dubbo waits up to 10 s per protocol server for in-flight requests when it stops: 200 ms is plenty here.
        setDefault("dubbo.service.shutdown.wait", "200");
        // Dubbo's log through SLF4J (logback, WARN and above, see logback.xml), not its own pick.
        setDefault("dubbo.application.logger", "slf4j");
    }

    /** {@code sharded://host:port[,host:port]}; a bare {@code host:port[,...]} gets the protocol. */
    static RegistryConfig registry(String address) {
        return new RegistryConfig(address.contains("://") ? address : "sharded://" + address);
    }

    /** QoS off: it would bind the same fixed port (22222) in every process. */
    static ApplicationConfig application(String name) {
        ApplicationConfig app = new ApplicationConfig(name);
        app.setQosEnable(false);
        return app;
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
