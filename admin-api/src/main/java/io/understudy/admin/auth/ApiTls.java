package io.understudy.admin.auth;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpsConnectorFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the admin API. The API itself is Dropwizard's: an {@code https} application connector with a keystore. What
 * this class adds is the node's side as a client of its peer's API (a planned drill asks the backup to take over, a
 * backup asks the primary whether it still serves): when this node's API speaks https, so does the peer's (the pair
 * runs one config), and the peer must present one of the certificates this node pins, those of
 * {@code api.peerCertificateFile} (PEM), else those of this node's own keystore (the pair shares one keystore whose
 * certificate names both nodes' addresses). The JDK checks the peer's address against the certificate's names.
 */
public final class ApiTls {
    /** How long the node waits for its peer's API to accept a connection. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private ApiTls() {}

    /** How this node reaches its peer's admin API: the scheme ("http" or "https") and the client to use. */
    public record PeerClient(String scheme, HttpClient http) {
        /** Plain HTTP, the default. */
        public static PeerClient plain() {
            return new PeerClient(
                    "http",
                    HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build());
        }
    }

    /**
     * The client for the peer's API, from this node's own API connector and {@code api.peerCertificateFile}.
     *
     * @throws IOException naming the setting when the certificates cannot be read, or when peerCertificateFile is set
     *                     while the API is plain http (it would pin nothing).
     */
    public static PeerClient peerClient(final ServerFactory server, final ApiSettings api) throws IOException {
        final HttpsConnectorFactory https = httpsConnector(server);
        if (https == null) {
            if (!api.getPeerCertificateFile().isEmpty()) {
                throw new IOException("api.peerCertificateFile is set, but the API's first application connector "
                        + "is not https (server.applicationConnectors[0].type): the pair's API would not use TLS");
            }
            return PeerClient.plain();
        }
        final List<X509Certificate> pinned = api.getPeerCertificateFile().isEmpty()
                ? keyStoreCertificates(https)
                : pemCertificates(Path.of(api.getPeerCertificateFile()), "api.peerCertificateFile");
        return new PeerClient(
                "https",
                HttpClient.newBuilder()
                        .connectTimeout(CONNECT_TIMEOUT)
                        .sslContext(trusting(pinned))
                        .build());
    }

    /** The first application connector when it is https, else null. */
    static HttpsConnectorFactory httpsConnector(final ServerFactory server) {
        if (server instanceof DefaultServerFactory factory
                && !factory.getApplicationConnectors().isEmpty()) {
            final ConnectorFactory first = factory.getApplicationConnectors().get(0);
            return first instanceof HttpsConnectorFactory https ? https : null;
        }
        return null;
    }

    /**
     * The X.509 certificates in a PEM (or DER) file.
     *
     * @param setting what names the file in an error.
     * @throws IOException naming the setting and the file when it is unreadable or holds no certificate.
     */
    public static List<X509Certificate> pemCertificates(final Path file, final String setting) throws IOException {
        final List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (final Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (final IOException ex) {
            throw new IOException(setting + ": cannot read " + file + ": " + ex, ex);
        } catch (final GeneralSecurityException ex) {
            throw new IOException(setting + ": " + file + " is not a PEM certificate: " + ex.getMessage(), ex);
        }
        if (certificates.isEmpty()) {
            throw new IOException(setting + ": " + file + " holds no certificate");
        }
        return certificates;
    }

    /** The certificates of every key entry in the https connector's keystore (the ones this node presents). */
    static List<X509Certificate> keyStoreCertificates(final HttpsConnectorFactory https) throws IOException {
        final String path = https.getKeyStorePath();
        if (path == null || path.isEmpty()) {
            throw new IOException("server.applicationConnectors[0]: an https connector needs keyStorePath");
        }
        final String password = https.getKeyStorePassword();
        final List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            final KeyStore store = KeyStore.getInstance(https.getKeyStoreType());
            store.load(in, password == null ? null : password.toCharArray());
            for (final String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate certificate) {
                    certificates.add(certificate);
                }
            }
        } catch (final IOException | GeneralSecurityException ex) {
            throw new IOException(
                    "server.applicationConnectors[0].keyStorePath: cannot read the keystore " + path + " ("
                            + https.getKeyStoreType() + "): " + ex.getMessage() + "; check keyStorePassword and "
                            + "keyStoreType",
                    ex);
        }
        if (certificates.isEmpty()) {
            throw new IOException("server.applicationConnectors[0].keyStorePath: " + path + " has no key with a "
                    + "certificate; set api.peerCertificateFile to the peer's certificate instead");
        }
        return certificates;
    }

    /** A TLS context that trusts exactly these certificates. */
    public static SSLContext trusting(final List<X509Certificate> certificates) throws IOException {
        try {
            final KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (final X509Certificate certificate : certificates) {
                trust.setCertificateEntry("pinned-" + i++, certificate);
            }
            final TrustManagerFactory managers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            managers.init(trust);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, managers.getTrustManagers(), null);
            return context;
        } catch (final GeneralSecurityException ex) {
            throw new IOException(
                    "cannot make a TLS context trusting " + certificates.size() + " certificate(s): " + ex.getMessage(),
                    ex);
        }
    }
}
