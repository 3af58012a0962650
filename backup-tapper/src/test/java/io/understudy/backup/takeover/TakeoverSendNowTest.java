package io.understudy.backup.takeover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replica's pending output written to a restored socket as it leaves repair mode: sent without blocking, and
 * what does not fit handed back for the relay, so the client gets every byte once and in order. A plain loopback
 * connection stands in for the restored one: past repair mode it is an ordinary socket.
 */
@Timeout(30)
class TakeoverSendNowTest {
    private ServerSocketChannel server;
    private SocketChannel restored;
    private SocketChannel client;

    @BeforeEach
    void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        restored = SocketChannel.open();
        restored.connect(server.getLocalAddress());
        client = server.accept();
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        restored.close();
        server.close();
    }

    @Test
    void shouldSendTheAnswerAtOnceAndLeaveTheSocketNonBlocking() throws IOException {
        final byte[] answer = "+OK 42\r\n".getBytes(StandardCharsets.US_ASCII);

        final byte[] rest = Takeover.sendNow(restored, answer);

        assertThat(rest).isEmpty();
        assertThat(restored.isBlocking())
                .as("the relay's selector needs it non-blocking")
                .isFalse();
        assertThat(read(client, answer.length)).isEqualTo(answer);
    }

    @Test
    void shouldHandBackWhatDoesNotFitSoTheClientGetsEveryByteOnceInOrder() throws IOException {
        final byte[] output = new byte[32 * 1024 * 1024];
        new Random(13).nextBytes(output);

        final byte[] rest = Takeover.sendNow(restored, output);

        assertThat(rest.length)
                .as("more than the socket's buffers hold: a remainder for the relay")
                .isBetween(1, output.length - 1);
        // The relay's part: the remainder, written as the client drains its side (one thread, non-blocking).
        final ByteBuffer relayed = ByteBuffer.wrap(rest);
        final ByteArrayOutputStream received = new ByteArrayOutputStream(output.length);
        final ByteBuffer buffer = ByteBuffer.allocate(65536);
        client.configureBlocking(false);
        while (received.size() < output.length) {
            if (relayed.hasRemaining()) {
                restored.write(relayed);
            }
            buffer.clear();
            final int n = client.read(buffer);
            assertThat(n).as("no end of stream before every byte").isNotNegative();
            received.write(buffer.array(), 0, n);
        }
        assertThat(received.toByteArray()).isEqualTo(output);
    }

    @Test
    void shouldSendNothingForNoOutput() throws IOException {
        assertThat(Takeover.sendNow(restored, new byte[0])).isEmpty();
        assertThat(restored.isBlocking()).isFalse();
    }

    /** Reads {@code length} bytes from a blocking channel, fewer at its end of stream. */
    public static byte[] read(final SocketChannel channel, final int length) throws IOException {
        final ByteArrayOutputStream received = new ByteArrayOutputStream(length);
        final ByteBuffer buffer = ByteBuffer.allocate(65536);
        while (received.size() < length) {
            buffer.clear();
            final int n = channel.read(buffer);
            if (n < 0) {
                break;
            }
            received.write(buffer.array(), 0, n);
        }
        return received.toByteArray();
    }
}
