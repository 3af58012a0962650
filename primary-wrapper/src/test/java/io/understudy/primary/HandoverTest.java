package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A drill's primary side on real loopback sockets: a frozen relay moves nothing until thawed; an abandoned one hands
 * every client socket to the silent closer, closes the app side and gives the service port up.
 */
@Timeout(30)
class HandoverTest {
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final List<Socket> sockets = new ArrayList<>();
    private ServerSocket app;
    private PrimaryWrapper wrapper;

    @AfterEach
    void tearDown() throws IOException {
        if (wrapper != null && wrapper.isRunning()) {
            wrapper.close();
        }
        for (final Socket socket : sockets) {
            socket.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void shouldMoveNoByteWhileFrozenAndEveryByteOnceThawed() throws Exception {
        final Socket[] pair = start();
        final Socket client = pair[0];
        final Socket appSide = pair[1];

        wrapper.freeze();
        client.getOutputStream().write("held\n".getBytes(StandardCharsets.US_ASCII));
        appSide.setSoTimeout(300);
        assertThatThrownBy(() -> appSide.getInputStream().read())
                .as("nothing reaches the app while frozen")
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(wrapper.connections()).as("still held").hasSize(1);

        wrapper.thaw();
        appSide.setSoTimeout(5_000);
        assertThat(new String(appSide.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
                .isEqualTo("held\n");
    }

    @Test
    void shouldGiveEveryClientToTheSilentCloserAndReleaseThePortWhenAbandoned() throws Exception {
        final Socket[] pair = start();
        final List<SocketChannel> handedOver = new ArrayList<>();
        final int port = wrapper.serviceAddress().getPort();

        wrapper.freeze();
        wrapper.abandon(handedOver::add);

        assertThat(handedOver).hasSize(1);
        assertThat(((InetSocketAddress) handedOver.get(0).getRemoteAddress()).getPort())
                .isEqualTo(pair[0].getLocalPort());
        pair[1].setSoTimeout(5_000);
        assertThat(pair[1].getInputStream().read())
                .as("the app side is closed normally")
                .isEqualTo(-1);
        assertThat(wrapper.isRunning()).isFalse();
        assertThatThrownBy(() -> new Socket(loopback, port).close()).isInstanceOf(ConnectException.class);
        handedOver.get(0).close();
    }

    @Test
    void shouldRefuseToAbandonARelayThatIsNotFrozen() throws Exception {
        start();
        assertThatThrownBy(() -> wrapper.abandon(channel -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("abandon needs a frozen relay");
    }

    /** A wrapper relaying one client to a plain app socket: {client, app side}. */
    private Socket[] start() throws IOException {
        app = new ServerSocket(0, 50, loopback);
        wrapper = PrimaryWrapper.start(new PrimaryWrapperConfig(
                "test",
                new InetSocketAddress(loopback, 0),
                new InetSocketAddress(loopback, app.getLocalPort()),
                PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES));
        final Socket client = new Socket(loopback, wrapper.serviceAddress().getPort());
        sockets.add(client);
        final Socket appSide = app.accept();
        sockets.add(appSide);
        return new Socket[] {client, appSide};
    }
}
