package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay holds every close from the app's side (FIN, RST, refused connect) until the gate lets it pass: what
 * the client sees while the node finds out whether the app died. Also the connection cap and a relay thread that dies.
 */
@Timeout(30)
class AppCloseGateTest {
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final AtomicBoolean open = new AtomicBoolean();
    private ServerSocket app;
    private PrimaryWrapper wrapper;

    @AfterEach
    void tearDown() throws IOException {
        if (wrapper != null) {
            wrapper.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private void startWrapper(
            final int appPort, final int maxConnections, final java.util.function.Consumer<Throwable> onFailure)
            throws IOException {
        wrapper = PrimaryWrapper.start(
                new PrimaryWrapperConfig(
                        "test",
                        new InetSocketAddress(loopback, 0),
                        new InetSocketAddress(loopback, appPort),
                        PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES,
                        CloseGuard.NONE,
                        ReadLog.NONE,
                        (sinceNs, nowNs) -> open.get(),
                        maxConnections),
                onFailure);
    }

    private void startWrapper(final int appPort) throws IOException {
        startWrapper(appPort, PrimaryWrapperConfig.DEFAULT_MAX_CONNECTIONS, failure -> {});
    }

    private Socket connectClient(final int soTimeoutMs) throws IOException {
        final Socket client = new Socket(loopback, wrapper.serviceAddress().getPort());
        client.setSoTimeout(soTimeoutMs);
        return client;
    }

    /** The app answers one byte to the first request byte, then closes as {@code close} says. */
    private CompletableFuture<Void> appAnswersThen(final boolean reset) throws IOException {
        app = new ServerSocket(0, 50, loopback);
        return Relays.answerOnceThenClose(app, reset);
    }

    @Test
    void shouldHoldTheAppsFinUntilTheGateLetsItPass() throws Exception {
        final CompletableFuture<Void> served = appAnswersThen(false);
        startWrapper(app.getLocalPort());

        try (Socket client = connectClient(300)) {
            client.getOutputStream().write('x');
            assertThat(client.getInputStream().read())
                    .as("the bytes before the FIN still flow")
                    .isEqualTo('y');
            served.get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> client.getInputStream().read())
                    .as("no EOF while the gate holds the FIN")
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(awaitStats(s -> s.appClosesHeld() == 1).appClosesPassed())
                    .isZero();
            assertThat(wrapper.connections().get(0).appCloseHeldMs()).isGreaterThan(0);

            open.set(true);
            client.setSoTimeout(5_000);
            assertThat(client.getInputStream().read())
                    .as("the FIN once the gate lets it pass")
                    .isEqualTo(-1);
        }
        final RelayStats stats = awaitStats(s -> s.appClosesHeld() == 0 && s.connectionsOpen() == 0);
        assertThat(stats.appClosesPassed()).isEqualTo(1);
    }

    @Test
    void shouldHoldTheAppsResetUntilTheGateLetsItPass() throws Exception {
        final CompletableFuture<Void> served = appAnswersThen(true);
        startWrapper(app.getLocalPort());

        try (Socket client = connectClient(300)) {
            client.getOutputStream().write('x');
            served.get(5, TimeUnit.SECONDS);
            awaitStats(s -> s.appClosesHeld() == 1);
            client.getOutputStream().write("more".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Thread.sleep(100);
            assertThat(wrapper.stats().resetsFromApp())
                    .as("nothing passed on while held")
                    .isZero();

            open.set(true);
            client.setSoTimeout(5_000);
            assertThatThrownBy(() -> {
                        while (client.getInputStream().read() >= 0) {
                            // the 'y' the app sent before its RST may or may not come first
                        }
                    })
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
        assertThat(awaitStats(s -> s.connectionsOpen() == 0).resetsFromApp()).isEqualTo(1);
    }

    @Test
    void shouldHoldARefusedAppConnectUntilTheGateLetsItPass() throws Exception {
        try (RefusingPort refusing = new RefusingPort(loopback)) {
            final int closedPort = refusing.port();
            startWrapper(closedPort);

            try (Socket client = connectClient(300)) {
                assertThatThrownBy(() -> client.getInputStream().read())
                        .as("no RST while held")
                        .isInstanceOf(SocketTimeoutException.class);
                assertThat(wrapper.stats().appConnectFailures()).isZero();
                open.set(true);
                client.setSoTimeout(5_000);
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketException.class)
                        .hasMessageContaining("reset");
            }
            assertThat(awaitStats(s -> s.connectionsOpen() == 0).appConnectFailures())
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseTheClientBeyondTheCapWithAReset() throws Exception {
        app = new ServerSocket(0, 50, loopback);
        startWrapper(app.getLocalPort(), 1, failure -> {});
        try (Socket first = connectClient(5_000);
                Socket appSide = app.accept();
                Socket second = connectClient(5_000)) {
            assertThatThrownBy(() -> second.getInputStream().read())
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            first.getOutputStream().write('a');
            assertThat(appSide.getInputStream().read())
                    .as("the first client is still relayed")
                    .isEqualTo('a');
        }
        final RelayStats stats = wrapper.stats();
        assertThat(stats.connectionsRefused()).isEqualTo(1);
        assertThat(stats.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void shouldTellTheNodeWhenTheRelayThreadDies() throws Exception {
        app = new ServerSocket(0, 50, loopback);
        final CompletableFuture<Throwable> died = new CompletableFuture<>();
        startWrapper(app.getLocalPort(), 10, died::complete);
        final long turnsBefore = wrapper.turns();

        wrapper.injectFailure(new OutOfMemoryError("injected: Direct buffer memory"));

        assertThat(died.get(5, TimeUnit.SECONDS))
                .isInstanceOf(OutOfMemoryError.class)
                .hasMessageContaining("injected");
        assertThat(wrapper.isRunning()).isFalse();
        assertThat(wrapper.failure()).containsInstanceOf(OutOfMemoryError.class);
        final long turnsAfter = wrapper.turns();
        Thread.sleep(300);
        assertThat(wrapper.turns())
                .as("a dead relay turns no more")
                .isEqualTo(turnsAfter)
                .isGreaterThanOrEqualTo(turnsBefore);
    }

    private RelayStats awaitStats(final java.util.function.Predicate<RelayStats> condition)
            throws InterruptedException {
        return Relays.awaitStats(wrapper, condition);
    }
}
