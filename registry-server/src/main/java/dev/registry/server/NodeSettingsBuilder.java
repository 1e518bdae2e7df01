package dev.registry.server;

import com.google.common.net.HostAndPort;
import dev.registry.client.RegistryClientConfig;
import dev.registry.meta.lease.LeaseSettings;
import dev.registry.meta.store.MetaDatabase;
import dev.registry.server.RegistryServerMain.Role;
import dev.registry.server.config.ConfigException;
import dev.registry.server.config.LayeredConfig;
import dev.registry.session.balance.ConnectionBalancer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Turns the launcher's parsed options into what {@link RegistryNode#start} runs, checking the
 * combinations single keys cannot; its errors name where each value came from.
 */
final class NodeSettingsBuilder {
    /**
     * JVM system property seeding the node's randomness (issue #21), to reproduce a run or drive a
     * deterministic simulation; unset: a random seed, as always. Not a launcher key: production
     * never needs it.
     */
    static final String RANDOM_SEED_PROPERTY = "registry.random.seed";

    private final RegistryServerMain options;
    /** How each option got its value; null when the options were parsed without the config layers. */
    private final LayeredConfig configuration;

    NodeSettingsBuilder(RegistryServerMain options, LayeredConfig configuration) {
        this.options = options;
        this.configuration = configuration;
    }

    RegistryNode.Settings build() {
        if (options.slots < 1 || options.slots > 65536) {
            throw new ConfigException(where("slots") + " must be in [1, 65536]");
        }
        String advertise = options.advertiseHost != null ? options.advertiseHost : options.host;
        List<HostAndPort> metas = options.metaServers != null ? RegistryClientConfig.parseServers(options.metaServers)
                : List.of(HostAndPort.fromParts(advertise, options.metaPort));
        Role role = options.role;
        return new RegistryNode.Settings(role == Role.all || role == Role.meta, role == Role.all || role == Role.data,
                role == Role.all || role == Role.session, options.host, advertise, metas, options.metaPort,
                options.metaHttpPort, options.dataPort, options.dataHttpPort, options.sessionPort,
                options.sessionHttpPort, options.slots, options.replicas, Duration.ofSeconds(options.dataLeaseSeconds),
                Duration.ofSeconds(options.clientIdleSeconds), Duration.ofSeconds(options.sessionGraceSeconds),
                options.adminToken, options.effectiveSofaBoltPort(), metaDatabase(), metaLease(), sessionBalance(),
                options.adminHost, Duration.ofMillis(options.dataProbeMillis), clientDamping(), clientLimits(),
                options.authAppsFile, clientTls(), clusterTls(), randomSeed());
    }

    /** {@code -Dregistry.random.seed}: null when unset or empty. */
    private static Long randomSeed() {
        String value = System.getProperty(RANDOM_SEED_PROPERTY);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("invalid value for JVM system property " + RANDOM_SEED_PROPERTY + ": '" + value
                    + "'; expected a whole number (a 64-bit seed)");
        }
    }

    private ConnectionBalancer.Settings sessionBalance() {
        ConnectionBalancer.Settings defaults = ConnectionBalancer.Settings.defaults();
        if (options.sessionBalanceSeconds <= 0) {
            return ConnectionBalancer.Settings.disabled();
        }
        return new ConnectionBalancer.Settings(true, Duration.ofSeconds(options.sessionBalanceSeconds),
                defaults.tolerance(), options.sessionBalanceMaxMoves, defaults.maxMoveFraction());
    }

    private MetaDatabase metaDatabase() {
        try {
            if (options.metaDbUrl == null || options.metaDbUrl.isBlank()) {
                // A meta on a random port has an address nobody can find again: nothing to keep for it.
                return options.metaPort == 0 ? MetaDatabase.h2InMemory()
                        : MetaDatabase.h2File(Path.of(RegistryServerMain.DEFAULT_META_DB));
            }
            String user = options.metaDbUser != null ? options.metaDbUser
                    : options.metaDbUrl.startsWith("jdbc:h2:") ? "sa" : null;
            return new MetaDatabase(options.metaDbUrl, user, options.metaDbPassword);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where("meta-db-url") + ": " + e.getMessage());
        }
    }

    private dev.registry.common.tls.TlsSettings clusterTls() {
        int given = (options.clusterTlsCert != null ? 1 : 0) + (options.clusterTlsKey != null ? 1 : 0)
                + (options.clusterTlsCa != null ? 1 : 0);
        if (given == 0) {
            return null;
        }
        if (given != 3) {
            throw new ConfigException(where("cluster-tls-cert") + ", " + where("cluster-tls-key") + " and "
                    + where("cluster-tls-ca") + " go together");
        }
        return new dev.registry.common.tls.TlsSettings(options.clusterTlsCert, options.clusterTlsKey,
                options.clusterTlsCa);
    }

    private dev.registry.common.tls.TlsSettings clientTls() {
        if (options.tlsCert == null && options.tlsKey == null) {
            return null;
        }
        if (options.tlsCert == null || options.tlsKey == null) {
            throw new ConfigException(where("tls-cert") + " and " + where("tls-key") + " go together");
        }
        return dev.registry.common.tls.TlsSettings.server(options.tlsCert, options.tlsKey);
    }

    private dev.registry.session.limits.ClientLimits.Settings clientLimits() {
        return new dev.registry.session.limits.ClientLimits.Settings(options.sessionMaxConnections,
                options.sessionMaxQueuedPerConnection, options.sessionMaxPublishersPerConnection,
                options.sessionMaxSubscribersPerConnection, options.sessionMaxRequestsPerSecond,
                Math.max(1, 2 * options.sessionMaxRequestsPerSecond));
    }

    private dev.registry.session.damping.FlapDamper.Settings clientDamping() {
        try {
            return new dev.registry.session.damping.FlapDamper.Settings(
                    Duration.ofSeconds(options.flapDampingHalfLifeSeconds), options.flapDampingSuppress,
                    options.flapDampingReuse, options.flapDampingMaxPenalty,
                    Duration.ofMillis(options.flapDampingHoldMillis));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("flap damping (" + where("flap-damping-suppress") + ", "
                    + where("flap-damping-reuse") + ", " + where("flap-damping-max-penalty") + "): " + e.getMessage());
        }
    }

    private LeaseSettings metaLease() {
        try {
            return new LeaseSettings(Duration.ofMillis(options.metaLeaseMillis),
                    Duration.ofMillis(options.metaRenewMillis));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where("meta-lease-millis") + " / " + where("meta-renew-millis") + ": "
                    + e.getMessage());
        }
    }

    private String where(String key) {
        return configuration == null ? key : configuration.describe(key);
    }
}
