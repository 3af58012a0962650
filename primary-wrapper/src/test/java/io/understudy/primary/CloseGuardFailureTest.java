package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A close guard that refuses: the relay asks again on later turns and closes once the guard lets the close through,
 * or closes anyway after its last attempt. Over loopback there is no nft rule, so every close reaches the client and
 * shows when the relay sent it.
 */
@Timeout(30)
class CloseGuardFailureTest {
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private ServerSocket app;
    private PrimaryWrapper wrapper;

    @AfterEach
    void tearDown() throws IOException {
        Relays.close(wrapper, app);
    }

    private void startWrapper(final CloseGuard guard) throws IOException {
        wrapper = PrimaryWrapper.start(new PrimaryWrapperConfig(
                "test",
                new InetSocketAddress(loopback, 0),
                new InetSocketAddress(loopback, app.getLocalPort()),
                PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES,
                guard));
    }

    private Socket connectClient() throws IOException {
        return Relays.connectClient(wrapper);
    }

    /** The app answers 'y' to the first byte, then closes: with a FIN, or with a RST when {@code reset}. */
    private void appAnswersThenCloses(final boolean reset) throws IOException {
        app = new ServerSocket(0, 50, loopback);
        Relays.answerOnceThenClose(app, reset);
    }

    /** The app holds its connection open until the test ends. */
    private void appHoldsOpen() throws IOException {
        app = new ServerSocket(0, 50, loopback);
        CompletableFuture.runAsync(() -> {
            try (Socket socket = app.accept()) {
                socket.getInputStream().readAllBytes();
            } catch (final IOException ex) {
                // the wrapper closed the connection at the end of the test
            }
        });
    }

    /** A client asks, gets the app's answer, then waits for the app's FIN through {@code guard}: how long. */
    private long nanosUntilTheAppFin(final FailingCloseGuard guard) throws Exception {
        appAnswersThenCloses(false);
        startWrapper(guard);
        try (Socket client = connectClient()) {
            client.getOutputStream().write('a');
            assertThat(client.getInputStream().read()).isEqualTo('y');
            final long beforeFinNs = System.nanoTime();
            assertThat(client.getInputStream().read())
                    .as("the app's FIN reaches the client")
                    .isEqualTo(-1);
            final long waitedNs = System.nanoTime() - beforeFinNs;
            assertThat(guard.asked())
                    .as("asked about this connection's 4-tuple only")
                    .containsOnly(client.getLocalPort() + " -> "
                            + wrapper.serviceAddress().getPort());
            return waitedNs;
        }
    }

    @Test
    void shouldSendTheAppFinAfterRetriesWhenTheGuardRefusesTwice() throws Exception {
        final FailingCloseGuard guard = new FailingCloseGuard(2);

        assertThat(nanosUntilTheAppFin(guard))
                .as("sent after the retries, not at once")
                .isGreaterThanOrEqualTo(GuardedCloses.RETRY_DELAY_NS);

        assertThat(guard.asked()).hasSize(3);
        final RelayStats stats = Relays.awaitStats(wrapper, s -> s.connectionsOpen() == 0);
        assertThat(stats.guardFailures()).isZero();
        assertThat(stats.closesHeldForGuard()).isZero();
        assertThat(stats.errors()).isZero();
    }

    @Test
    void shouldStillSendTheAppFinAndCountAFailureWhenTheGuardAlwaysRefuses() throws Exception {
        final FailingCloseGuard guard = new FailingCloseGuard(FailingCloseGuard.ALWAYS);

        assertThat(nanosUntilTheAppFin(guard)).isGreaterThanOrEqualTo(GuardedCloses.RETRY_DELAY_NS);

        assertThat(guard.asked()).hasSize(GuardedCloses.MAX_ATTEMPTS);
        final RelayStats stats = Relays.awaitStats(wrapper, s -> s.connectionsOpen() == 0);
        assertThat(stats.guardFailures()).isEqualTo(1);
        assertThat(stats.closesHeldForGuard()).isZero();
    }

    @Test
    void shouldStillResetTheClientWhenTheAppResetsAndTheGuardAlwaysRefuses() throws Exception {
        appAnswersThenCloses(true);
        final FailingCloseGuard guard = new FailingCloseGuard(FailingCloseGuard.ALWAYS);
        startWrapper(guard);

        try (Socket client = connectClient()) {
            client.getOutputStream().write('a');
            assertThatThrownBy(() -> {
                        while (client.getInputStream().read() != -1) {
                            // the 'y' may or may not arrive before the reset
                        }
                    })
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
        final RelayStats stats = Relays.awaitStats(wrapper, s -> s.connectionsOpen() == 0);
        assertThat(stats.resetsFromApp()).isEqualTo(1);
        assertThat(stats.guardFailures()).isEqualTo(1);
        assertThat(stats.closesHeldForGuard()).isZero();
    }

    @Test
    void shouldCloseEveryClientWhenTheWrapperStopsAndTheGuardAlwaysRefuses() throws Exception {
        appHoldsOpen();
        startWrapper(new FailingCloseGuard(FailingCloseGuard.ALWAYS));

        try (Socket client = connectClient()) {
            client.getOutputStream().write('a');
            Relays.awaitStats(wrapper, s -> s.bytesFromClients() == 1);

            wrapper.close();

            assertThat(client.getInputStream().read())
                    .as("closed, not left hanging")
                    .isEqualTo(-1);
            final RelayStats stats = wrapper.stats();
            assertThat(stats.guardFailures()).isEqualTo(1);
            assertThat(stats.connectionsOpen()).isZero();
            assertThat(stats.closesHeldForGuard()).isZero();
        }
        wrapper = null;
    }
}
