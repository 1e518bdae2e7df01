package dev.registry.dubbo;

import dev.registry.client.RegistryClient;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.metadata.report.MetadataReport;
import org.apache.dubbo.metadata.report.MetadataReportFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code MetadataReportFactory} extension {@code sharded}. Its presence is what makes Dubbo use a
 * {@code sharded://} registry as metadata center too (for the interface -> application mapping,
 * see {@link ShardedMetadataReport}); one report (and client) per address and application.
 */
public class ShardedMetadataReportFactory implements MetadataReportFactory {
    private final Map<String, ShardedMetadataReport> reports = new ConcurrentHashMap<>();

    @Override
    public MetadataReport getMetadataReport(URL url) {
        String key = url.getBackupAddress(ShardedClients.DEFAULT_PORT) + "|" + url.getApplication() + "|"
                + ShardedClients.prefix(url) + "|" + ShardedClients.instanceId(url);
        return reports.computeIfAbsent(key, k -> {
            RegistryClient client = ShardedClients.start(url);
            try {
                return new ShardedMetadataReport(url, client);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        });
    }

    @Override
    public void destroy() {
        reports.values().forEach(ShardedMetadataReport::destroy);
        reports.clear();
    }
}
