package dev.registry.common.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * One TLS endpoint built from PEM files, for Netty pipelines and the JDK's HTTPS server alike.
 * Its key and trust managers delegate to the last files read, so {@link #reloadIfChanged} puts
 * a renewed certificate into force for new connections without a restart (open connections
 * keep theirs). A client verifies the server's certificate chain and its host name (the
 * certificate must name the host or IP the client connects to); a server given a trusted CA
 * requires client certificates it signed. TLS 1.2 and 1.3 only.
 */
public final class TlsContext {
    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final char[] NO_PASSWORD = new char[0];

    private final TlsSettings settings;
    private final boolean client;
    private volatile X509ExtendedKeyManager keys;
    private volatile X509ExtendedTrustManager trust;
    private final SSLContext jdk;
    private final JdkSslContext netty;
    private List<Long> loadedStamps;

    private TlsContext(TlsSettings settings, boolean client) {
        this.settings = settings;
        this.client = client;
        load();
        try {
            jdk = SSLContext.getInstance("TLS");
            jdk.init(settings.certificate() == null ? null : new javax.net.ssl.KeyManager[] {new ReloadingKeys()},
                    settings.trustedCa() == null ? null : new javax.net.ssl.TrustManager[] {new ReloadingTrust()}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
        }
        ClientAuth auth = !client && settings.trustedCa() != null ? ClientAuth.REQUIRE : ClientAuth.NONE;
        netty = new JdkSslContext(jdk, client, null, IdentityCipherSuiteFilter.INSTANCE,
                ApplicationProtocolConfig.DISABLED, auth, PROTOCOLS, false);
    }

    public static TlsContext forServer(TlsSettings settings) {
        if (settings.certificate() == null) {
            throw new IllegalArgumentException("a TLS server needs a certificate and a private key");
        }
        return new TlsContext(settings, false);
    }

    public static TlsContext forClient(TlsSettings settings) {
        if (settings.trustedCa() == null) {
            throw new IllegalArgumentException("a TLS client needs the CA that signs its servers");
        }
        return new TlsContext(settings, true);
    }

    public TlsSettings settings() {
        return settings;
    }

    /** For the JDK's HttpsServer (admin ports). */
    public SSLContext sslContext() {
        return jdk;
    }

    /** A handler for a new channel; a client's names the host it connects to (SNI and host-name verification). */
    public SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort) {
        SSLEngine engine = client ? netty.newEngine(alloc, peerHost, peerPort) : netty.newEngine(alloc);
        if (client) {
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        return new SslHandler(engine);
    }

    /**
     * One line for a TLS failure behind {@code cause} (a plaintext client on a TLS port, or a
     * certificate the other side refused), never the bytes received (they may carry a client's
     * ids); null if it is not one.
     */
    public static String describeFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.netty.handler.ssl.NotSslRecordException) {
                return "not TLS (a plaintext client on a TLS port?)";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed: " + t.getMessage();
            }
        }
        return null;
    }

    /** Re-reads the PEM files if any changed; a broken set keeps the previous one (WARN). True if reloaded. */
    public synchronized boolean reloadIfChanged() {
        if (stamps().equals(loadedStamps)) {
            return false;
        }
        try {
            load();
            log.info("TLS files reloaded: {}", describe());
            return true;
        } catch (IllegalArgumentException e) {
            loadedStamps = stamps(); // one WARN per broken change
            log.warn("TLS files not reloaded, the previous ones stay in force: {}", e.getMessage());
            return false;
        }
    }

    private String describe() {
        return "certificate " + settings.certificate() + ", trusted CA " + settings.trustedCa();
    }

    private synchronized void load() {
        List<Long> stamps = stamps();
        try {
            if (settings.certificate() != null) {
                X509Certificate[] chain = PemFiles.certificates(settings.certificate());
                PrivateKey key = PemFiles.privateKey(settings.privateKey());
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("key", key, NO_PASSWORD, chain);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, NO_PASSWORD);
                keys = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
            }
            if (settings.trustedCa() != null) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                int i = 0;
                for (X509Certificate ca : PemFiles.certificates(settings.trustedCa())) {
                    ts.setCertificateEntry("ca-" + i++, ca);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
                trust = (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build TLS from " + describe() + ": " + e.getMessage(), e);
        }
        loadedStamps = stamps;
    }

    private List<Long> stamps() {
        List<Long> out = new ArrayList<>();
        for (Path p : new Path[] {settings.certificate(), settings.privateKey(), settings.trustedCa()}) {
            try {
                out.add(p == null ? 0L : Files.getLastModifiedTime(p).toMillis() * 31 + Files.size(p));
            } catch (IOException e) {
                out.add(-1L);
            }
        }
        return out;
    }

    /** Delegates to the key manager of the last files read. */
    private final class ReloadingKeys extends X509ExtendedKeyManager {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return keys.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return keys.chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return keys.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    /** Delegates to the trust manager of the last CA file read. */
    private final class ReloadingTrust extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trust.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trust.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trust.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trust.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trust.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trust.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trust.getAcceptedIssuers();
        }
    }
}
