package io.understudy.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** demo-sync between two demo services on loopback: the target becomes a copy of the source, or a clear error. */
@Timeout(30)
final class DemoSyncCommandTest {
    private final DemoServer primary = new DemoServer(InetAddress.getLoopbackAddress(), 0);
    private final DemoServer backup = new DemoServer(InetAddress.getLoopbackAddress(), 0);
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private int primaryPort;
    private int backupPort;

    @BeforeEach
    void start() throws Exception {
        primaryPort = primary.start();
        backupPort = backup.start();
    }

    @AfterEach
    void stop() {
        primary.close();
        backup.close();
    }

    @Test
    void shouldMakeTheTargetACopyOfTheSourceDeletingWhatOnlyTheTargetHad() throws Exception {
        try (LineClient client = new LineClient(primaryPort)) {
            client.request("INCR lg-0");
            client.request("INCR lg-0");
            client.request("SET greeting hello there");
            client.request("SET empty ");
        }
        try (LineClient client = new LineClient(backupPort)) {
            client.request("INCR lg-0");
            client.request("SET stale 1");
        }

        assertThat(run(Map.of(), "--from", "127.0.0.1:" + primaryPort, "--to", "127.0.0.1:" + backupPort))
                .isZero();

        assertThat(out.toString()).contains("3 keys copied from 127.0.0.1:" + primaryPort, "1 deleted there");
        try (LineClient client = new LineClient(backupPort)) {
            assertThat(client.request("KEYS")).isEqualTo("1 empty greeting lg-0");
            assertThat(client.request("GET lg-0")).isEqualTo("2 2");
            assertThat(client.request("GET greeting")).isEqualTo("3 hello there");
            assertThat(client.request("GET empty")).isEqualTo("4 ");
            assertThat(client.request("INCR lg-0"))
                    .as("the next INCR answers as the primary's would")
                    .isEqualTo("5 3");
        }
    }

    @Test
    void shouldTakeTheAddressesFromTheNodesEnvironmentWhenNoneAreGiven() {
        final Map<String, String> node = Map.of(
                "UNDERSTUDY_PEER_ADDRESS", "127.0.0.1",
                "UNDERSTUDY_APP_ADDRESS", "localhost",
                "UNDERSTUDY_APP_PORT", Integer.toString(backupPort));

        // Both sides at the app port, as on a pair: here that is the backup's service, copied onto itself.
        assertThat(run(node)).isZero();
        assertThat(out.toString()).contains("from 127.0.0.1:" + backupPort + " to localhost:" + backupPort);
    }

    @Test
    void shouldSayWhichServiceCannotBeReachedAndExitWithOne() throws java.io.IOException {
        // A port held by a socket that does not listen: a connect to it is refused. A closed port would do, but one in
        // the ephemeral range can be picked as the connect's own port, and the socket then meets itself (a
        // self-connect; seen once in CI: "closed the connection before answering KEYS").
        try (java.net.Socket holder = new java.net.Socket()) {
            holder.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final int refusing = holder.getLocalPort();

            assertThat(run(Map.of(), "--from", "127.0.0.1:" + refusing, "--to", "127.0.0.1:" + backupPort))
                    .isEqualTo(1);
            assertThat(err.toString()).startsWith("demo-sync: cannot reach the demo service at 127.0.0.1:" + refusing);
        }
    }

    @Test
    void shouldRefuseMissingOrMalformedAddressesWithExitTwo() {
        assertThat(run(Map.of(), "--to", "127.0.0.1:" + backupPort)).isEqualTo(2);
        assertThat(err.toString())
                .contains("--from is needed: $UNDERSTUDY_PEER_ADDRESS and $UNDERSTUDY_APP_PORT are not both set");
        assertThat(run(Map.of(), "--from", "127.0.0.1", "--to", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("--from must be HOST:PORT, was '127.0.0.1'");
    }

    private int run(final Map<String, String> environment, final String... args) {
        final CommandLine commandLine = new CommandLine(new DemoSyncCommand(environment));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
