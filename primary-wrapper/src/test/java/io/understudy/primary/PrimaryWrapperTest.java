package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PrimaryWrapperTest {
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
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

    private void startWrapper(final int appPort) throws IOException {
        wrapper = PrimaryWrapper.start(new PrimaryWrapperConfig(
                "test",
                new InetSocketAddress(loopback, 0),
                new InetSocketAddress(loopback, appPort),
                PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES));
    }

    private Socket connectClient() throws IOException {
        final Socket client = new Socket(loopback, wrapper.serviceAddress().getPort());
        client.setSoTimeout(10_000);
        return client;
    }

    /** Runs one app-side connection handler on a thread of its own. */
    private <T> CompletableFuture<T> serveOne(final AppHandler<T> handler) throws IOException {
        app = new ServerSocket(0, 50, loopback);
        return CompletableFuture.supplyAsync(() -> {
            try (Socket socket = app.accept()) {
                socket.setSoTimeout(10_000);
                return handler.handle(socket);
            } catch (final IOException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    interface AppHandler<T> {
        T handle(Socket socket) throws IOException;
    }

    @Test
    void shouldRelayEveryByteBothWaysWhenAppEchoes() throws Exception {
        final CompletableFuture<Long> echoed = serveOne(socket -> {
            final long count = socket.getInputStream().transferTo(socket.getOutputStream());
            socket.shutdownOutput();
            return count;
        });
        startWrapper(app.getLocalPort());
        final byte[] sent = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(sent);

        try (Socket client = connectClient()) {
            final CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(client));
            client.getOutputStream().write(sent);
            client.shutdownOutput();
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(sent);
        }
        assertThat(echoed.get(5, TimeUnit.SECONDS)).isEqualTo(sent.length);
        final RelayStats stats = awaitStats(s -> s.connectionsOpen() == 0);
        assertThat(stats.connectionsAccepted()).isEqualTo(1);
        assertThat(stats.bytesFromClients()).isEqualTo(sent.length);
        assertThat(stats.bytesToClients()).isEqualTo(sent.length);
        assertThat(stats.errors()).isZero();
    }

    @Test
    void shouldLetAppKeepSendingWhenClientHalfCloses() throws Exception {
        serveOne(socket -> {
            final byte[] request = socket.getInputStream().readAllBytes();
            final OutputStream out = socket.getOutputStream();
            out.write(("got " + request.length + " bytes\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return request.length;
        });
        startWrapper(app.getLocalPort());

        try (Socket client = connectClient()) {
            client.getOutputStream().write("hello, app".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(readAll(client), StandardCharsets.US_ASCII)).isEqualTo("got 10 bytes\n");
        }
    }

    @Test
    void shouldResetClientWhenAppResets() throws Exception {
        serveOne(socket -> {
            final int first = socket.getInputStream().read();
            socket.setSoLinger(true, 0);
            return first;
        });
        startWrapper(app.getLocalPort());

        try (Socket client = connectClient()) {
            client.getOutputStream().write('x');
            assertThatThrownBy(() -> client.getInputStream().read())
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
        assertThat(awaitStats(s -> s.connectionsOpen() == 0).resetsFromApp()).isEqualTo(1);
    }

    @Test
    void shouldResetAppWhenClientResets() throws Exception {
        final CompletableFuture<String> appSaw = serveOne(socket -> {
            final InputStream in = socket.getInputStream();
            final int first = in.read();
            try {
                final int next = in.read();
                return "read " + first + " then " + next;
            } catch (final SocketException ex) {
                return "reset after " + (char) first + ": " + ex.getMessage();
            }
        });
        startWrapper(app.getLocalPort());

        final Socket client = connectClient();
        client.getOutputStream().write('a');
        client.getOutputStream().flush();
        awaitStats(s -> s.bytesFromClients() == 1);
        client.setSoLinger(true, 0);
        client.close();

        assertThat(appSaw.get(10, TimeUnit.SECONDS)).startsWith("reset after a").contains("reset");
        assertThat(awaitStats(s -> s.connectionsOpen() == 0).resetsFromClients())
                .isEqualTo(1);
    }

    @Test
    void shouldResetClientWhenAppIsNotListening() throws Exception {
        try (RefusingPort refusing = new RefusingPort(loopback)) {
            final int closedPort = refusing.port();
            startWrapper(closedPort);

            try (Socket client = connectClient()) {
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketException.class)
                        .hasMessageContaining("reset");
            }
            assertThat(awaitStats(s -> s.connectionsOpen() == 0).appConnectFailures())
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldNameTheAddressWhenServiceAddressIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, loopback)) {
            final InetSocketAddress address = new InetSocketAddress(loopback, taken.getLocalPort());
            assertThatThrownBy(() -> PrimaryWrapper.start(new PrimaryWrapperConfig(
                            "test", address, address, PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot listen on service address")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
    }

    /**
     * A takeover starts the relay before it claims the service address, so a client that connects once the address
     * moved is never refused: the listener binds with IP_FREEBIND to an address this host does not hold yet (one in
     * the lab's range that no interface here has; nothing is sent to it). Without it, such an address is an error.
     */
    @Test
    void shouldListenOnAnAddressNotYetHeldOnlyWhenAskedToBindFreely() throws Exception {
        final InetSocketAddress notHere = new InetSocketAddress(InetAddress.getByName("198.18.255.254"), 0);
        final InetSocketAddress app = new InetSocketAddress(loopback, 9);
        final PrimaryWrapperConfig config =
                new PrimaryWrapperConfig("test", notHere, app, PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES);
        assertThat(config.freeBind())
                .as("the default: a service address must be on this host")
                .isFalse();
        assertThatThrownBy(() -> PrimaryWrapper.start(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot listen on service address /198.18.255.254");

        wrapper = PrimaryWrapper.start(config.withFreeBind(true));
        assertThat(wrapper.serviceAddress().getAddress()).isEqualTo(notHere.getAddress());
        assertThat(wrapper.serviceAddress().getPort()).isPositive();
    }

    private RelayStats awaitStats(final java.util.function.Predicate<RelayStats> condition)
            throws InterruptedException {
        return Relays.awaitStats(wrapper, condition);
    }

    /**
     * A connection as a takeover hands it to the relay: a socket whose peer is the returned client, and a connection
     * to the app that was sent {@code sentToApp} first (the replica's input), adopted with {@code pending} to go to
     * the client first.
     */
    private Socket adopt(final String pending, final boolean clientFinished, final String sentToApp)
            throws IOException {
        try (java.nio.channels.ServerSocketChannel clientSide = java.nio.channels.ServerSocketChannel.open()) {
            clientSide.bind(new InetSocketAddress(loopback, 0));
            final java.nio.channels.SocketChannel restored =
                    java.nio.channels.SocketChannel.open(clientSide.getLocalAddress());
            final java.nio.channels.SocketChannel appChannel =
                    java.nio.channels.SocketChannel.open(app.getLocalSocketAddress());
            if (sentToApp != null) {
                appChannel.write(java.nio.ByteBuffer.wrap(sentToApp.getBytes(StandardCharsets.US_ASCII)));
            }
            final Socket client = clientSide.accept().socket();
            client.setSoTimeout(10_000);
            wrapper.adopt(restored, appChannel, pending.getBytes(StandardCharsets.US_ASCII), clientFinished);
            return client;
        }
    }

    private static byte[] readAll(final Socket socket) {
        try {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(out);
            return out.toByteArray();
        } catch (final IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldSendPreloadedBytesFirstThenRelayWhenAdoptingAnEstablishedPair() throws Exception {
        final CompletableFuture<String> appSaw = serveOne(socket -> {
            final byte[] request = socket.getInputStream().readNBytes(4);
            socket.getOutputStream().write(" world".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            return new String(request, StandardCharsets.US_ASCII);
        });
        startWrapper(app.getLocalPort());
        try (Socket client = adopt("hello", false, null)) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));

            final byte[] received = client.getInputStream().readNBytes(11);
            assertThat(new String(received, StandardCharsets.US_ASCII)).isEqualTo("hello world");
            assertThat(client.getInputStream().read())
                    .as("EOF after the app's FIN")
                    .isEqualTo(-1);
        }
        assertThat(appSaw.get(5, TimeUnit.SECONDS)).isEqualTo("ping");
    }

    @Test
    void shouldSendTheAppsRestThenEndWhenAdoptingAConnectionWhoseClientHadFinished() throws Exception {
        // The app (the replica) had the client's request and its end before the takeover; it answers once it sees
        // the end, as a server answering a half-closed client does.
        final CompletableFuture<String> appSaw = serveOne(socket -> {
            final byte[] request = socket.getInputStream().readAllBytes();
            socket.getOutputStream().write(" the rest".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            return new String(request, StandardCharsets.US_ASCII);
        });
        startWrapper(app.getLocalPort());
        try (Socket client = adopt("reply,", true, "request")) {
            assertThat(new String(readAll(client), StandardCharsets.US_ASCII))
                    .as("then EOF")
                    .isEqualTo("reply, the rest");
        }
        assertThat(appSaw.get(5, TimeUnit.SECONDS))
                .as("the app saw the end of its input")
                .isEqualTo("request");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (wrapper.stats().connectionsOpen() > 0 && System.nanoTime() < deadlineNs) {
            Thread.sleep(10);
        }
        assertThat(wrapper.stats().connectionsOpen())
                .as("the relay let the connection go")
                .isZero();
    }

    @Test
    void shouldAuthorizeEveryFinAndRstToAClientWithTheCloseGuard() throws Exception {
        final java.util.List<String> authorized = new java.util.concurrent.CopyOnWriteArrayList<>();
        serveOne(socket -> {
            socket.getOutputStream().write('x');
            socket.shutdownOutput();
            return socket.getInputStream().read();
        });
        wrapper = PrimaryWrapper.start(new PrimaryWrapperConfig(
                "test",
                new InetSocketAddress(loopback, 0),
                new InetSocketAddress(loopback, app.getLocalPort()),
                PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES,
                (client, service) -> authorized.add(client.getPort() + " -> " + service.getPort())));

        try (Socket client = connectClient()) {
            assertThat(client.getInputStream().read()).isEqualTo('x');
            assertThat(client.getInputStream().read())
                    .as("the app's FIN reaches the client")
                    .isEqualTo(-1);
            assertThat(authorized)
                    .as("authorized before the FIN went out, for this connection's 4-tuple")
                    .containsExactly(client.getLocalPort() + " -> "
                            + wrapper.serviceAddress().getPort());
        }
    }
}
