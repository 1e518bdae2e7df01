package dev.registry.client;

import com.google.common.net.HostAndPort;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a {@link RegistryClient}. Build with {@link #builder(String)}:
 * <pre>{@code
 * RegistryClientConfig config = RegistryClientConfig.builder("127.0.0.1:9600,127.0.0.1:9601")
 *         .appName("orders").zone("zone-a").build();
 * }</pre>
 *
 * @param sessionServers    session addresses (or one load-balancer address); the client picks one
 *                          at random and moves to the next on disconnect
 * @param appName           reported with every registration (admin queries show it)
 * @param zone              zone of this client's publishers; subscribers get values grouped by zone
 * @param ip                this client's IP as reported with its registrations (null: the local address of
 *                          its session connection, right behind a TCP balancer too); client-off by IP acts on it
 * @param requestTimeout    how long a blocking publish/subscribe/unregister waits for the session
 * @param heartbeatInterval heartbeat when idle; the session drops a client silent for its idle timeout
 * @param idleTimeout       the client reconnects elsewhere when the session is silent this long
 * @param reconnectMin      first reconnect delay; later ones are a quarter to a half of the time since the
 *                          link was lost (geometric growth with jitter, dense enough to catch a link that
 *                          comes back for a second)
 * @param reconnectMax      longest reconnect delay
 * @param maxPendingRegistrations how many publishes and subscribes may wait for the session's answer at
 *                          once; {@link RegistryClient#publishAsync} blocks the caller while this many are
 *                          pending (back-pressure instead of an unbounded queue)
 * @param accessKey         app credentials (with {@code secretKey}): proven to every session on connecting
 *                          (HMAC-signed, never sent); null: none (sessions with authentication on refuse)
 * @param secretKey         the app's secret key; never logged or printed
 * @param tlsCa             CA certificate (PEM) that signs the sessions' certificates: connect with TLS and
 *                          verify the session's certificate and host name; null: plain TCP
 * @param discoverSessions  also try the sessions' own addresses, learnt from the session it connects to, when
 *                          the configured ones fail (default); off, the client only ever connects to the
 *                          configured addresses (sessions not routable from the client, a mandatory proxy)
 * @param randomSeed        seed of all the client's randomness (first session, reconnect jitter, registration
 *                          ids), for a simulator that replays a run; null (default): drawn at random, with
 *                          registration ids from a {@link java.security.SecureRandom}
 */
public record RegistryClientConfig(List<HostAndPort> sessionServers, String appName, String zone, String ip,
                                   Duration requestTimeout, Duration heartbeatInterval, Duration idleTimeout,
                                   Duration reconnectMin, Duration reconnectMax, int maxPendingRegistrations,
                                   boolean discoverSessions, String accessKey, String secretKey,
                                   java.nio.file.Path tlsCa, Long randomSeed) {

    public RegistryClientConfig {
        if (sessionServers == null || sessionServers.isEmpty()) {
            throw new IllegalArgumentException("at least one session server address is required");
        }
        sessionServers = List.copyOf(sessionServers);
        if (heartbeatInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval must be shorter than idleTimeout");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("credentials need both an access key and a secret key");
        }
        if (maxPendingRegistrations < 1) {
            throw new IllegalArgumentException("maxPendingRegistrations must be at least 1, was " + maxPendingRegistrations);
        }
    }

    /** Never shows the secret key. */
    @Override
    public String toString() {
        return "RegistryClientConfig[sessionServers=" + sessionServers + ", appName=" + appName + ", zone=" + zone
                + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? "none" : "***") + "]";
    }

    /** @param servers comma-separated {@code host:port} list */
    public static Builder builder(String servers) {
        return new Builder(parseServers(servers));
    }

    /** Parses {@code host:port[,host:port...]}; rejects missing ports and bad entries with a clear message. */
    public static List<HostAndPort> parseServers(String servers) {
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException("session server list is empty");
        }
        List<HostAndPort> out = new ArrayList<>();
        for (String part : servers.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            HostAndPort hp;
            try {
                hp = HostAndPort.fromString(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad server address '" + s + "': " + e.getMessage());
            }
            if (!hp.hasPort()) {
                throw new IllegalArgumentException("server address '" + s + "' needs a port (host:port)");
            }
            out.add(hp);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("session server list is empty");
        }
        return out;
    }

    /** Builder with production defaults. */
    public static final class Builder {
        private final List<HostAndPort> servers;
        private String appName = "unknown";
        private String zone = "";
        private String ip;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration heartbeatInterval = Duration.ofSeconds(2);
        private Duration idleTimeout = Duration.ofSeconds(6);
        private Duration reconnectMin = Duration.ofMillis(100);
        private Duration reconnectMax = Duration.ofSeconds(5);
        private int maxPendingRegistrations = 256;
        private boolean discoverSessions = true;
        private String accessKey;
        private String secretKey;
        private java.nio.file.Path tlsCa;
        private Long randomSeed;

        private Builder(List<HostAndPort> servers) {
            this.servers = servers;
        }

        public Builder appName(String value) {
            this.appName = value;
            return this;
        }

        public Builder zone(String value) {
            this.zone = value;
            return this;
        }

        public Builder ip(String value) {
            this.ip = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            this.requestTimeout = value;
            return this;
        }

        public Builder heartbeat(Duration interval, Duration idle) {
            this.heartbeatInterval = interval;
            this.idleTimeout = idle;
            return this;
        }

        public Builder reconnectBackoff(Duration min, Duration max) {
            this.reconnectMin = min;
            this.reconnectMax = max;
            return this;
        }

        public Builder maxPendingRegistrations(int value) {
            this.maxPendingRegistrations = value;
            return this;
        }

        /** Whether to also try the sessions' own addresses learnt from a session (default true). */
        public Builder discoverSessions(boolean value) {
            this.discoverSessions = value;
            return this;
        }

        /** Connect with TLS, trusting sessions whose certificate this CA (PEM) signed. */
        public Builder tlsCa(java.nio.file.Path caPem) {
            this.tlsCa = caPem;
            return this;
        }

        /**
         * Seeds all of the client's randomness, so that a deterministic simulation can replay a run
         * (issue #21). For simulation and reproducing only: seeded registration ids are predictable,
         * and a client started again with the same seed repeats them, so every client process needs
         * its own seed. Default: a random seed and secure ids.
         */
        public Builder randomSeed(long seed) {
            this.randomSeed = seed;
            return this;
        }

        /** App credentials for sessions with authentication on. */
        public Builder credentials(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /**
         * App credentials from a file ({@code accessKey=...}, {@code secretKey=...}, optional
         * {@code app=...}, which also sets the app name): what {@code scripts/cluster.sh --secure} writes.
         */
        public Builder credentialsFile(java.nio.file.Path file) {
            java.util.Properties p = new java.util.Properties();
            try (java.io.Reader r = java.nio.file.Files.newBufferedReader(file, java.nio.charset.StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read credentials file " + file + ": " + e.getMessage(), e);
            }
            String ak = p.getProperty("accessKey");
            String sk = p.getProperty("secretKey");
            if (ak == null || ak.isBlank() || sk == null || sk.isBlank()) {
                throw new IllegalArgumentException("credentials file " + file + " needs accessKey= and secretKey=");
            }
            if (p.getProperty("app") != null && !p.getProperty("app").isBlank()) {
                this.appName = p.getProperty("app").trim();
            }
            return credentials(ak.trim(), sk.trim());
        }

        public RegistryClientConfig build() {
            return new RegistryClientConfig(servers, appName, zone, ip, requestTimeout, heartbeatInterval, idleTimeout,
                    reconnectMin, reconnectMax, maxPendingRegistrations, discoverSessions, accessKey, secretKey, tlsCa,
                    randomSeed);
        }
    }
}
