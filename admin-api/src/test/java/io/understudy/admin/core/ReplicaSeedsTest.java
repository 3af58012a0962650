package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.admin.api.MovedInput;
import io.understudy.backup.track.ReplicaSeed;
import io.understudy.primary.ClientSocketState;
import io.understudy.primary.MovedConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The old primary's view of a moved connection (its kernel's queues, its relay's buffers) joined with the new
 * primary's (where its restored socket starts, the client bytes it took beyond the old primary's acks).
 */
class ReplicaSeedsTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("198.18.0.1", 40000);
    private static final InetSocketAddress SERVICE = new InetSocketAddress("198.18.0.100", 7070);

    private final SocketChannel app = openChannel();

    @AfterEach
    void close() throws IOException {
        app.close();
    }

    @Test
    void shouldJoinTheClientBytesOfBothNodesAndKeepTheKernelsSequenceNumbers() {
        // The app had client bytes 0..100; the relay held "ab", the kernel's receive queue "cd": rcv_nxt = base + 104.
        // The app wrote 0..50 to the client socket ("XY" unacked) and the relay held "Q" more.
        final MovedConnection moved = moved(100, "ab", "cd", 0x10 + 104, 50, "XY", "Q");
        // The new primary saw the old one ack up to 102 only, and took 102..106 ("cdef") to its replica.
        final MovedInput input = new MovedInput("198.18.0.1:40000", 106, 50, 102, bytes("cdef"));

        assertThat(ReplicaSeeds.refusal(moved, input)).isNull();
        final ReplicaSeed seed = ReplicaSeeds.seed(moved, input);

        assertThat(seed.clientSequenceBase()).isEqualTo(0x10);
        assertThat(seed.serverSequenceBase()).isEqualTo(0x7000 - 50);
        assertThat(seed.clientFedOffset()).isEqualTo(100);
        assertThat(new String(seed.clientBytes(), StandardCharsets.US_ASCII))
                .as("each byte once")
                .isEqualTo("abcdef");
        assertThat(seed.serverAckedOffset()).isEqualTo(48);
        assertThat(new String(seed.serverUnacked(), StandardCharsets.US_ASCII)).isEqualTo("XY");
        assertThat(new String(seed.serverAhead(), StandardCharsets.US_ASCII)).isEqualTo("Q");
        assertThat(seed.clientWindowScale()).isEqualTo(7);
        assertThat(seed.serverWindowScale()).isEqualTo(9);
        assertThat(seed.app()).isSameAs(app);
    }

    @Test
    void shouldRefuseAConnectionWhoseClientBytesDoNotJoinOrThatWasNotRestored() {
        final MovedConnection moved = moved(100, "ab", "cd", 104, 50, "", "");

        assertThat(ReplicaSeeds.refusal(moved, null)).isEqualTo("the new primary did not restore it");
        assertThat(ReplicaSeeds.refusal(moved, new MovedInput("198.18.0.1:40000", 110, 50, 105, bytes("fghij"))))
                .as("a hole 104..105")
                .contains("does not join");
        assertThat(ReplicaSeeds.refusal(moved, new MovedInput("198.18.0.1:40000", 103, 50, 103, new byte[0])))
                .as("the new primary starts before this node's end")
                .contains("does not join");
        assertThat(ReplicaSeeds.refusal(moved, new MovedInput("198.18.0.1:40000", 106, 50, -1, new byte[0])))
                .contains("no longer had the client bytes");
        assertThat(ReplicaSeeds.refusal(moved, new MovedInput("198.18.0.1:40000", 104, 50, 104, new byte[0])))
                .as("nothing taken beyond")
                .isNull();
    }

    @Test
    void shouldCloseTheAppSideOfEveryConnectionItCannotFollow() {
        final MovedConnection restored = moved(0, "", "", 0, 0, "", "");
        final List<ReplicaSeed> seeds = ReplicaSeeds.of(
                "test", List.of(restored), List.of(new MovedInput("198.18.0.9:1", 0, 0, 0, new byte[0])));

        assertThat(seeds).isEmpty();
        assertThat(app.isOpen()).isFalse();
    }

    private MovedConnection moved(
            final long fed,
            final String relayed,
            final String queued,
            final int receiveSequence,
            final long sent,
            final String unacked,
            final String pending) {
        final ClientSocketState socket = new ClientSocketState(
                receiveSequence, bytes(queued), 0x7000, bytes(unacked), 1448, 7, 9, true, true, 12345, 64_000, 29_200);
        return new MovedConnection(
                CLIENT, SERVICE, socket, fed, bytes(relayed + queued), sent, bytes(pending), app, false, false);
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static SocketChannel openChannel() {
        try {
            return SocketChannel.open();
        } catch (final IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
