package dev.registry.server.cli;

import dev.registry.client.RegistryClient;
import dev.registry.client.Subscription;
import dev.registry.client.SubscriptionData;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.protocol.CatalogPage;
import dev.registry.common.protocol.CatalogQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What is registered, through the client protocol (so it works behind the sessions' load balancer too). */
final class CatalogCommands {
    private CatalogCommands() {
    }

    /** The client connection options of get and services. */
    static class Connection {
        @Option(names = "--servers", defaultValue = "${env:REGISTRY_SERVERS:-127.0.0.1:9600}",
                description = "session addresses host:port[,host:port...] (default: ${DEFAULT-VALUE}; env REGISTRY_SERVERS)")
        String servers;

        @Option(names = "--credentials", paramLabel = "FILE", description = "app credentials for sessions with "
                + "authentication on")
        java.nio.file.Path credentials;

        @Option(names = "--tls-ca", paramLabel = "FILE", description = "connect with TLS, trusting this CA (PEM)")
        java.nio.file.Path tlsCa;

        @Option(names = "--json", description = "JSON instead of a table")
        boolean json;

        RegistryClient connect() {
            dev.registry.client.RegistryClientConfig.Builder b = dev.registry.client.RegistryClientConfig
                    .builder(servers).appName("registry-cli");
            if (tlsCa != null) {
                b.tlsCa(tlsCa);
            }
            if (credentials != null) {
                b.credentialsFile(credentials);
            }
            RegistryClient c = RegistryClient.start(b.build());
            if (!c.isConnected()) {
                c.close();
                throw new CliFailure(CliFailure.UNREACHABLE, "no session of " + servers + " answered");
            }
            return c;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Prints the current list of an id: its "
            + "publishers' values, as a subscriber is pushed them.")
    static final class Get implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();
        @Option(names = "--data-id", required = true, description = "the service's dataId")
        String dataId;
        @Option(names = "--group", description = "group (default: DEFAULT_GROUP)")
        String group;
        @Option(names = "--instance-id", description = "instance id (default: DEFAULT_INSTANCE_ID)")
        String instanceId;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DataInfoId id;
            try {
                id = DataInfoId.of(dataId, group, instanceId).validate();
            } catch (IllegalArgumentException e) {
                throw new CliFailure(CliFailure.USAGE, e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            try (RegistryClient client = connection.connect()) {
                CompletableFuture<SubscriptionData> first = new CompletableFuture<>();
                Subscription s = client.subscribe(id, first::complete);
                SubscriptionData data = first.get(15, TimeUnit.SECONDS);
                s.unregister();
                if (connection.json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("dataId", id.dataId());
                    line.put("group", id.group());
                    line.put("instanceId", id.instanceId());
                    line.put("version", data.version());
                    line.put("valuesByZone", data.valuesByZone());
                    out.println(Admin.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(line));
                } else {
                    Table t = new Table("ZONE", "VALUE");
                    data.valuesByZone().forEach((zone, values) -> values.forEach(v -> t.row(zone.isEmpty() ? "-" : zone, v)));
                    t.print(out);
                    out.println(id.dataId() + " (group " + id.group() + "): " + data.values().size() + " values, version "
                            + data.version());
                }
                out.flush();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new CliFailure(CliFailure.FAILED, "no list of " + id + " within 15 s");
            }
            return 0;
        }
    }

    @Command(name = "services", mixinStandardHelpOptions = true, description = "Lists the ids that have "
            + "publishers, with their publisher counts, from every slot leader.")
    static final class Services implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();
        @Option(names = "--group", description = "only this group")
        String group;
        @Option(names = "--instance-id", description = "only this instance id")
        String instanceId;
        @Option(names = "--prefix", description = "only dataIds starting so")
        String prefix;
        @Option(names = "--limit", defaultValue = "1000", description = "at most this many (default: ${DEFAULT-VALUE})")
        int limit;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (limit < 1) {
                throw new CliFailure(CliFailure.USAGE, "--limit must be positive");
            }
            PrintWriter out = spec.commandLine().getOut();
            Table t = new Table("DATA ID", "GROUP", "INSTANCE ID", "PUBLISHERS");
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            boolean more = false;
            try (RegistryClient client = connection.connect()) {
                CatalogQuery q = new CatalogQuery(group, instanceId, prefix, null, Math.min(limit, CatalogQuery.MAX_LIMIT));
                while (rows.size() < limit) {
                    CatalogPage page = client.catalog(q);
                    for (int i = 0; i < page.ids().size() && rows.size() < limit; i++) {
                        DataInfoId id = page.ids().get(i);
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("dataId", id.dataId());
                        row.put("group", id.group());
                        row.put("instanceId", id.instanceId());
                        row.put("publishers", page.publisherCounts().get(i));
                        rows.add(row);
                        t.row(id.dataId(), id.group(), id.instanceId(), page.publisherCounts().get(i));
                    }
                    more = page.more() || page.ids().size() > rows.size();
                    if (!page.more() || page.ids().isEmpty()) {
                        break;
                    }
                    q = q.after(page.ids().get(page.ids().size() - 1));
                }
            }
            if (connection.json) {
                out.println(Admin.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            } else {
                t.print(out);
                out.println(rows.size() + " ids" + (more && rows.size() >= limit ? " (more: raise --limit)" : ""));
            }
            out.flush();
            return 0;
        }
    }
}
