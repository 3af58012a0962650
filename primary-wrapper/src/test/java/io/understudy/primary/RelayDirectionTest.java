package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A direction borrows its buffer only while bytes wait in it, over real loopback sockets: idle directions hold none,
 * every byte still arrives in order, and bytes the sink cannot take yet keep theirs until it does.
 */
@Timeout(60)
class RelayDirectionTest {
    private static final int BUFFER_BYTES = 4096;

    private final List<SocketChannel> channels = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (final SocketChannel channel : channels) {
            channel.close();
        }
    }

    @Test
    void shouldGiveTheBufferBackOnceTheSinkTookEverythingAndReuseIt() throws Exception {
        final RelayBuffers buffers = new RelayBuffers(BUFFER_BYTES);
        final SocketChannel[] source = pair();
        final SocketChannel[] sink = pair();
        final List<RelayDirection> idle = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            idle.add(new RelayDirection(source[1], sink[0], buffers));
        }
        final RelayDirection direction = idle.get(0);

        assertThat(direction.fill()).as("nothing sent yet").isZero();
        assertThat(buffers.free())
                .as("the buffer borrowed for the empty read is back")
                .isEqualTo(1);
        for (int request = 0; request < 20; request++) {
            final byte[] bytes = ("request " + request + "\n").getBytes(StandardCharsets.US_ASCII);
            source[0].write(ByteBuffer.wrap(bytes));
            awaitReadable(direction);
            assertThat(direction.drain()).isEqualTo(bytes.length);
            assertThat(read(sink[1], bytes.length)).isEqualTo(new String(bytes, StandardCharsets.US_ASCII));
            assertThat(direction.hasPending()).isFalse();
        }
        for (final RelayDirection other : idle) {
            assertThat(other.fill()).isZero();
        }
        assertThat(buffers.allocated())
                .as("100 idle directions and 20 requests relayed: one buffer, lent again and again")
                .isEqualTo(1);
        assertThat(buffers.free()).isEqualTo(1);
    }

    @Test
    void shouldKeepTheBytesTheSinkCannotTakeYetUntilItDoes() throws Exception {
        final RelayBuffers buffers = new RelayBuffers(BUFFER_BYTES);
        final SocketChannel[] source = pair();
        final SocketChannel[] sink = pair(4096);
        final RelayDirection direction = new RelayDirection(source[1], sink[0], buffers);
        final byte[] sent = new byte[1 << 20];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + i / 4096);
        }
        final ByteBuffer toSend = ByteBuffer.wrap(sent);
        final ByteBuffer received = ByteBuffer.allocate(sent.length);
        source[0].configureBlocking(false);
        sink[0].configureBlocking(false); // as the relay's sockets are: a full sink takes nothing, it does not block
        sink[1].configureBlocking(false);
        final long deadline = System.nanoTime() + 30_000_000_000L;
        // The reader does not read yet: once the sink's socket buffers are full, bytes wait in the direction.
        while (!direction.hasPending() && System.nanoTime() < deadline) {
            source[0].write(toSend);
            direction.fill();
            direction.drain();
        }
        assertThat(direction.hasPending()).as("the sink is full: bytes wait").isTrue();
        assertThat(buffers.free()).as("the waiting bytes keep their buffer").isZero();
        while (received.hasRemaining() && System.nanoTime() < deadline) {
            source[0].write(toSend);
            direction.fill();
            direction.drain();
            sink[1].read(received);
        }
        assertThat(received.array()).as("every byte, in order").isEqualTo(sent);
        assertThat(direction.hasPending()).isFalse();
        assertThat(buffers.free()).as("given back once the sink took the rest").isEqualTo(1);
    }

    @Test
    void shouldPreloadMoreThanABufferIntoOneOfItsOwnSize() throws Exception {
        final RelayBuffers buffers = new RelayBuffers(BUFFER_BYTES);
        final SocketChannel[] source = pair();
        final SocketChannel[] sink = pair();
        final byte[] preload = new byte[3 * BUFFER_BYTES];
        java.util.Arrays.fill(preload, (byte) 'p');

        final RelayDirection direction = new RelayDirection(source[1], sink[0], buffers, preload);

        assertThat(direction.sourceOffset()).isEqualTo(preload.length);
        assertThat(direction.drain()).isEqualTo(preload.length);
        assertThat(read(sink[1], preload.length)).isEqualTo("p".repeat(preload.length));
        assertThat(buffers.free()).as("a buffer of another size is not kept").isZero();
    }

    private static void awaitReadable(final RelayDirection direction) throws Exception {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (direction.fill() == 0) {
            assertThat(System.nanoTime()).as("bytes reach the source socket").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static String read(final SocketChannel channel, final int length) throws IOException {
        final ByteBuffer bytes = ByteBuffer.allocate(length);
        while (bytes.hasRemaining()) {
            if (channel.read(bytes) < 0) {
                break;
            }
        }
        return new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII);
    }

    /** A connected loopback pair: [0] the connecting side (blocking), [1] the accepted side (non-blocking). */
    private SocketChannel[] pair() throws IOException {
        return pair(0);
    }

    /** Like {@link #pair()}; with {@code bufferBytes} above 0, [0] sends and [1] receives through buffers that small. */
    private SocketChannel[] pair(final int bufferBytes) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            if (bufferBytes > 0) {
                server.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            }
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final SocketChannel connecting = SocketChannel.open();
            if (bufferBytes > 0) {
                connecting.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            }
            connecting.connect(server.getLocalAddress());
            final SocketChannel accepted = server.accept();
            accepted.configureBlocking(false);
            channels.add(connecting);
            channels.add(accepted);
            return new SocketChannel[] {connecting, accepted};
        }
    }
}
