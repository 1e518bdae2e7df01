package dev.registry.common.tls;

import java.nio.file.Path;

/**
 * Where a TLS endpoint's PEM files are.
 *
 * @param certificate  this side's certificate chain (PEM); required for a server, optional for a client (mTLS)
 * @param privateKey   its private key (unencrypted PKCS#8 PEM, "BEGIN PRIVATE KEY"; RSA or EC)
 * @param trustedCa    CA certificates (PEM) that sign the peer: a client verifies the server with them; a
 *                     server given them requires and verifies client certificates (mTLS)
 */
public record TlsSettings(Path certificate, Path privateKey, Path trustedCa) {
    public TlsSettings {
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and its private key, or neither");
        }
        if (certificate == null && trustedCa == null) {
            throw new IllegalArgumentException("TLS needs a certificate and key (server), a trusted CA (client), or both");
        }
    }

    /** A server with this certificate; peers are not asked for one. */
    public static TlsSettings server(Path certificate, Path privateKey) {
        return new TlsSettings(certificate, privateKey, null);
    }

    /** A client that trusts servers signed by this CA. */
    public static TlsSettings client(Path trustedCa) {
        return new TlsSettings(null, null, trustedCa);
    }
}
