package io.understudy.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jetty.HttpsConnectorFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a node reaches its peer's API when the API speaks https: the peer must present a pinned certificate (from the
 * node's own keystore, or api.peerCertificateFile), named for the address the node dials. Real keystores made by the
 * JDK's keytool, a real TLS server on loopback.
 */
class ApiTlsTest {
    private static final String PASSWORD = "lab-only-password";

    @TempDir
    Path directory;

    private HttpsServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void shouldUsePlainHttpWhenTheApiIsPlainHttp() throws IOException {
        final ApiTls.PeerClient client = ApiTls.peerClient(server(new HttpConnectorFactory()), api(""));

        assertThat(client.scheme()).isEqualTo("http");
    }

    @Test
    void shouldRefuseAPeerCertificateForAPlainHttpApi() throws Exception {
        final Path pem = keystore("pair", "ip:127.0.0.1").pem();

        assertThatThrownBy(() -> ApiTls.peerClient(server(new HttpConnectorFactory()), api(pem.toString())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(
                        "api.peerCertificateFile is set, but the API's first application connector is " + "not https");
    }

    @Test
    void shouldTrustAPeerPresentingTheCertificateOfItsOwnKeystore() throws Exception {
        final Keys pair = keystore("pair", "ip:127.0.0.1");
        serve(pair);

        final ApiTls.PeerClient client = ApiTls.peerClient(server(https(pair.store())), api(""));

        assertThat(client.scheme()).isEqualTo("https");
        assertThat(get(client)).isEqualTo("200 {\"role\":\"BACKUP\"}");
    }

    @Test
    void shouldTrustThePeerCertificateFileInsteadOfItsOwnKeystore() throws Exception {
        final Keys mine = keystore("mine", "ip:127.0.0.1");
        final Keys peers = keystore("peer", "ip:127.0.0.1");
        serve(peers);

        assertThat(get(ApiTls.peerClient(
                        server(https(mine.store())), api(peers.pem().toString()))))
                .isEqualTo("200 {\"role\":\"BACKUP\"}");
        assertThatThrownBy(() -> get(ApiTls.peerClient(server(https(mine.store())), api(""))))
                .as("a peer whose certificate is not pinned")
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void shouldRefuseAPeerWhoseCertificateDoesNotNameTheAddressDialled() throws Exception {
        final Keys other = keystore("pair", "ip:198.18.0.3");
        serve(other);

        assertThatThrownBy(() -> get(ApiTls.peerClient(server(https(other.store())), api(""))))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("127.0.0.1");
    }

    @Test
    void shouldNameTheSettingWhenTheKeystoreOrTheCertificateCannotBeRead() throws Exception {
        final Keys pair = keystore("pair", "ip:127.0.0.1");
        final HttpsConnectorFactory wrongPassword = https(pair.store());
        wrongPassword.setKeyStorePassword("not-the-password");
        final HttpsConnectorFactory noStore = https(directory.resolve("missing.p12"));
        final Path garbage = Files.writeString(directory.resolve("garbage.pem"), "not a certificate\n");

        assertThatThrownBy(() -> ApiTls.peerClient(server(wrongPassword), api("")))
                .hasMessageStartingWith("server.applicationConnectors[0].keyStorePath: cannot read the keystore")
                .hasMessageContaining("check keyStorePassword");
        assertThatThrownBy(() -> ApiTls.peerClient(server(noStore), api(""))).hasMessageContaining("missing.p12");
        assertThatThrownBy(() -> ApiTls.peerClient(server(https(pair.store())), api(garbage.toString())))
                .hasMessageStartingWith("api.peerCertificateFile: " + garbage);
        assertThatThrownBy(() -> ApiTls.peerClient(
                        server(https(pair.store())),
                        api(directory.resolve("none.pem").toString())))
                .hasMessageStartingWith("api.peerCertificateFile: cannot read " + directory.resolve("none.pem"));
    }

    /** A keystore made by keytool: one EC key whose self-signed certificate has these subject alternative names. */
    private Keys keystore(final String name, final String san) throws IOException, InterruptedException {
        final Path store = directory.resolve(name + ".p12");
        final Path pem = directory.resolve(name + ".pem");
        final String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(
                keytool,
                "-genkeypair",
                "-alias",
                "api",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=" + name,
                "-ext",
                "san=" + san,
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                PASSWORD);
        run(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "api",
                "-keystore",
                store.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                pem.toString());
        return new Keys(store, pem);
    }

    private record Keys(Path store, Path pem) {}

    private static void run(final String... command) throws IOException, InterruptedException {
        final Process process =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as("%s: %s", String.join(" ", command), output)
                .isZero();
    }

    /** A TLS server on loopback presenting the key in {@code keys}, answering GET /status. */
    private void serve(final Keys keys) throws Exception {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.store())) {
            store.load(in, PASSWORD.toCharArray());
        }
        final KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(store, PASSWORD.toCharArray());
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/status", exchange -> {
            final byte[] body = "{\"role\":\"BACKUP\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    private String get(final ApiTls.PeerClient client) throws IOException, InterruptedException {
        final URI uri = URI.create(
                client.scheme() + "://127.0.0.1:" + server.getAddress().getPort() + "/status");
        final HttpResponse<String> response = client.http()
                .send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static HttpsConnectorFactory https(final Path store) {
        final HttpsConnectorFactory https = new HttpsConnectorFactory();
        https.setKeyStorePath(store.toString());
        https.setKeyStorePassword(PASSWORD);
        https.setKeyStoreType("PKCS12");
        return https;
    }

    private static DefaultServerFactory server(final HttpConnectorFactory connector) {
        final DefaultServerFactory factory = new DefaultServerFactory();
        factory.setApplicationConnectors(List.of(connector));
        return factory;
    }

    private static ApiSettings api(final String peerCertificateFile) throws IOException {
        return new ObjectMapper()
                .readValue("{\"peerCertificateFile\":\"" + peerCertificateFile + "\"}", ApiSettings.class);
    }
}
