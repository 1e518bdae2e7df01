package dev.registry.dubbo;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import org.apache.dubbo.common.URL;

import java.time.Duration;

/**
 * Builds a {@link RegistryClient} from a Dubbo URL {@code sharded://host:port[,host:port]}: the
 * sessions' client addresses (port 9600 when none is given), the application name for the
 * session's bookkeeping, and two optional parameters: {@code zone} (locality) and
 * {@code registry-timeout} (ms, the client's request timeout). Each Dubbo component (registry,
 * service discovery, metadata report) owns its own client: they live and die at different moments
 * in Dubbo's lifecycle, and a session connection is cheap.
 */
final class ShardedClients {
    static final int DEFAULT_PORT = 9600;
    /** Registry URL parameter: the tenant (DataInfoId instanceId) every id is published under. */
    static final String INSTANCE_ID_KEY = "instance-id";
    /** Registry URL parameter: prefix of every DataInfoId group this extension uses. */
    static final String GROUP_PREFIX_KEY = "group-prefix";

    private ShardedClients() {
    }

    static RegistryClient start(URL url) {
        if (url.getHost() == null || url.isAnyHost()) {
            throw new IllegalStateException("registry address is missing in " + url);
        }
        RegistryClientConfig.Builder builder = RegistryClientConfig.builder(url.getBackupAddress(DEFAULT_PORT));
        String app = url.getApplication();
        if (app != null && !app.isEmpty()) {
            builder.appName(app);
        }
        String zone = url.getParameter("zone");
        if (zone != null && !zone.isEmpty()) {
            builder.zone(zone);
        }
        int timeout = url.getParameter("registry-timeout", 0);
        if (timeout > 0) {
            builder.requestTimeout(Duration.ofMillis(timeout));
        }
        return RegistryClient.start(builder.build());
    }

    static String instanceId(URL url) {
        return url.getParameter(INSTANCE_ID_KEY);
    }

    static String prefix(URL url) {
        return url.getParameter(GROUP_PREFIX_KEY, DubboNames.DEFAULT_PREFIX);
    }
}
