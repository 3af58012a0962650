package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one decoder of struct tcp_info: hand-built kernel bytes, then a real loopback connection read back. */
class TcpInfoTest {
    @Test
    void shouldDecodeStateOptionsScalesAndMssWhenWindowScalingWasNegotiated() {
        final TcpInfo info = TcpInfo.decode(tcpInfo(1, 0b111, 0x57, 1448));

        assertThat(info).isEqualTo(new TcpInfo(1, 0b111, 7, 5, 1448));
        assertThat(info.isEstablished()).isTrue();
        assertThat(info.hasTimestamps()).isTrue();
        assertThat(info.hasSack()).isTrue();
        assertThat(info.hasWindowScale()).isTrue();
    }

    @Test
    void shouldGiveMinusOneForBothScalesWhenWindowScalingWasNotNegotiated() {
        final TcpInfo info = TcpInfo.decode(tcpInfo(4, TcpInfo.OPTION_SACK, 0, 536));

        assertThat(info).isEqualTo(new TcpInfo(4, TcpInfo.OPTION_SACK, -1, -1, 536));
        assertThat(info.isEstablished()).as("FIN_WAIT1").isFalse();
        assertThat(info.hasTimestamps()).isFalse();
        assertThat(info.hasWindowScale()).isFalse();
    }

    @Test
    @Timeout(10)
    void shouldReadTheShiftEachSideChoseFromBothEndsOfALoopbackConnection() throws Exception {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocketChannel listener = ServerSocketChannel.open();
                SocketChannel client = SocketChannel.open()) {
            listener.bind(new InetSocketAddress(loopback, 0));
            client.connect(listener.getLocalAddress());
            try (SocketChannel accepted = listener.accept()) {
                final TcpInfo server = TcpInfo.read(accepted);
                final TcpInfo clientSide = TcpInfo.read(client);

                assertThat(server.isEstablished()).isTrue();
                assertThat(server.sendMss()).isPositive();
                assertThat(server.options()).isEqualTo(clientSide.options());
                assertThat(server.sendWindowScale()).isEqualTo(clientSide.receiveWindowScale());
                assertThat(server.receiveWindowScale()).isEqualTo(clientSide.sendWindowScale());
            }
        }
    }

    @Test
    void shouldGiveNullWhenTheSocketIsClosed() throws Exception {
        final SocketChannel closed = SocketChannel.open();
        closed.close();

        assertThat(TcpInfo.tryRead(closed)).isNull();
    }

    private static byte[] tcpInfo(final int state, final int options, final int scales, final int sendMss) {
        final ByteBuffer bytes = ByteBuffer.allocate(TcpInfo.DECODED_BYTES).order(ByteOrder.nativeOrder());
        bytes.put(0, (byte) state).put(5, (byte) options).put(6, (byte) scales).putInt(16, sendMss);
        return bytes.array();
    }
}
