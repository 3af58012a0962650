package io.understudy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real node process in this JVM, as primary, relaying a loopback service port to an app that upper-cases.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class NodeRelaysThroughServiceAddressTest {
    private static final ServerSocket APP = openApp();
    private static final int SERVICE_PORT = TestPorts.free();

    private static final DropwizardAppExtension<UnderstudyConfiguration> NODE = new DropwizardAppExtension<>(
            UnderstudyApplication.class,
            ResourceHelpers.resourceFilePath("test-primary.yml"),
            ConfigOverride.config("node.appPort", String.valueOf(APP.getLocalPort())),
            ConfigOverride.config("node.servicePort", String.valueOf(SERVICE_PORT)));

    @AfterAll
    static void closeApp() throws IOException {
        APP.close();
    }

    @Test
    void shouldRelayClientToAppAndCountItInStatus() throws Exception {
        final Thread appThread = new Thread(NodeRelaysThroughServiceAddressTest::serveUpperCase);
        appThread.start();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), SERVICE_PORT)) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("failover\n".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("FAILOVER\n");
        }
        appThread.join(10_000);

        final Map<?, ?> status = NODE.client()
                .target("http://127.0.0.1:" + NODE.getLocalPort() + "/status")
                .request()
                .get(Map.class);
        assertThat(status.get("nodeId")).isEqualTo("test-primary");
        assertThat(status.get("role")).isEqualTo("PRIMARY");
        assertThat(status.get("service")).isEqualTo("127.0.0.1:" + SERVICE_PORT);
        final Map<?, ?> relay = (Map<?, ?>) status.get("relay");
        assertThat(relay.get("connectionsAccepted")).isEqualTo(1);
        assertThat(relay.get("bytesFromClients")).isEqualTo(9);
        assertThat(relay.get("bytesToClients")).isEqualTo(9);
    }

    @Test
    void shouldWriteSixtyFourBitIdsAsStringsThroughTheNodesOwnJson() throws Exception {
        final long seq = 1_883_652_421_732_798_237L; // above 2^53: a JSON number would be read rounded
        final String written = NODE.getObjectMapper()
                .writeValueAsString(
                        new io.understudy.logger.LogServerStats(1, 0, 0, 0, 0, seq, 7, null, 0, 0, 0, 0, 0));
        assertThat(written).contains("\"lastSeq\":\"1883652421732798237\"").contains("\"lastIndex\":7");
    }

    @Test
    void shouldReportHealthyWhenPrimaryRelays() {
        // The whole check is 500 here (the peer and its logger never come); only "role" is this test's.
        final Map<?, ?> health = NODE.client()
                .target("http://127.0.0.1:" + NODE.getAdminPort() + "/healthcheck")
                .request()
                .get()
                .readEntity(Map.class);
        assertThat(((Map<?, ?>) health.get("role")).get("healthy")).isEqualTo(true);
    }

    private static void serveUpperCase() {
        try (Socket socket = APP.accept()) {
            final byte[] request = socket.getInputStream().readAllBytes();
            socket.getOutputStream()
                    .write(new String(request, StandardCharsets.US_ASCII)
                            .toUpperCase()
                            .getBytes(StandardCharsets.US_ASCII));
        } catch (final IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static ServerSocket openApp() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (final IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
