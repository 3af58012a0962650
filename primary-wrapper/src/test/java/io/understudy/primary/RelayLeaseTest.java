package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A relay whose lease is revoked moves no byte and takes on no client until the lease holds again; then it resumes by
 * itself and nothing sent meanwhile is lost or reordered.
 */
@Timeout(30)
class RelayLeaseTest {
    private static final int QUIET_MS = 300;

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final AtomicBoolean leaseHolds = new AtomicBoolean(true);
    /** Bytes the echo app received, over all its connections. */
    private final AtomicLong appReceived = new AtomicLong();

    private final AtomicLong appConnections = new AtomicLong();
    private ServerSocket app;
    private PrimaryWrapper wrapper;

    @AfterEach
    void tearDown() throws IOException {
        Relays.close(wrapper, app);
    }

    /** An app that echoes every byte of every connection, counting what it received; then the wrapper in front. */
    private void startEchoAppAndWrapper() throws IOException {
        app = new ServerSocket(0, 50, loopback);
        CompletableFuture.runAsync(() -> {
            while (!app.isClosed()) {
                try {
                    final Socket socket = app.accept();
                    appConnections.incrementAndGet();
                    CompletableFuture.runAsync(() -> echo(socket));
                } catch (final IOException ex) {
                    return; // the test ended
                }
            }
        });
        wrapper = PrimaryWrapper.start(new PrimaryWrapperConfig(
                        "test",
                        new InetSocketAddress(loopback, 0),
                        new InetSocketAddress(loopback, app.getLocalPort()),
                        PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES)
                .withLease(nowNs -> leaseHolds.get()));
    }

    private void echo(final Socket socket) {
        try (socket) {
            final byte[] chunk = new byte[8192];
            int read;
            while ((read = socket.getInputStream().read(chunk)) > 0) {
                appReceived.addAndGet(read);
                socket.getOutputStream().write(chunk, 0, read);
            }
            socket.shutdownOutput();
        } catch (final IOException ex) {
            // the test ended
        }
    }

    private void revokeLease() throws InterruptedException {
        leaseHolds.set(false);
        Relays.awaitStats(wrapper, s -> s.leaseWaits() > 0);
    }

    private static byte[] randomBytes(final int count, final long seed) {
        final byte[] bytes = new byte[count];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void shouldMoveNoByteWhileTheLeaseIsRevokedAndEchoEveryOneInOrderOnceItHoldsAgain() throws Exception {
        startEchoAppAndWrapper();
        final byte[] before = randomBytes(1000, 1);
        final byte[] during = randomBytes(32 * 1024, 2);
        final byte[] after = randomBytes(1000, 3);
        try (Socket client = Relays.connectClient(wrapper)) {
            client.getOutputStream().write(before);
            assertThat(client.getInputStream().readNBytes(before.length)).isEqualTo(before);

            revokeLease();
            client.getOutputStream().write(during);
            client.setSoTimeout(QUIET_MS);
            assertThatThrownBy(() -> client.getInputStream().read())
                    .as("nothing echoed while revoked")
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(appReceived).as("nothing reached the app while revoked").hasValue(before.length);
            assertThat(wrapper.stats().bytesFromClients()).isEqualTo(before.length);

            leaseHolds.set(true);
            client.setSoTimeout(10_000);
            client.getOutputStream().write(after);
            client.shutdownOutput();
            final ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            client.getInputStream().transferTo(echoed);
            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(during);
            expected.write(after);
            assertThat(echoed.toByteArray())
                    .as("every byte, in order, none lost")
                    .isEqualTo(expected.toByteArray());
        }
        final RelayStats stats = Relays.awaitStats(wrapper, s -> s.connectionsOpen() == 0);
        assertThat(stats.bytesFromClients()).isEqualTo(before.length + during.length + after.length);
        assertThat(stats.leaseWaits())
                .as("about the ms waited, asked every 1 ms")
                .isGreaterThan(QUIET_MS / 10);
        assertThat(stats.errors()).isZero();
    }

    @Test
    void shouldTakeOnNoClientWhileTheLeaseIsRevoked() throws Exception {
        startEchoAppAndWrapper();
        revokeLease();

        try (Socket client = Relays.connectClient(wrapper)) {
            client.getOutputStream().write('a');
            client.setSoTimeout(QUIET_MS);
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(wrapper.stats().connectionsAccepted())
                    .as("the kernel's backlog holds it")
                    .isZero();
            assertThat(appConnections).hasValue(0);
            assertThat(wrapper.connections())
                    .as("the connection list is still answered")
                    .isEmpty();

            leaseHolds.set(true);
            client.setSoTimeout(10_000);
            assertThat(client.getInputStream().read())
                    .as("relayed once the lease holds")
                    .isEqualTo('a');
        }
        assertThat(wrapper.stats().connectionsAccepted()).isEqualTo(1);
    }
}
