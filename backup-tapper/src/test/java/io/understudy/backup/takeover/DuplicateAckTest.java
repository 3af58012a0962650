package io.understudy.backup.takeover;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.capture.DecodeResult;
import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.repair.RestoreSpec;
import io.understudy.backup.track.Frames;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TrackedConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The hand-built duplicate ACK decodes as a valid segment (both checksums right) carrying the restored socket's
 * sequence numbers, window and timestamps, addressed to the client's MAC.
 */
class DuplicateAckTest {
    @Test
    void shouldCarryTheRestoredSequenceNumbersWhenDecoded() throws Exception {
        final FrameDecoder decoder = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true);
        final TcpSegment segment = new TcpSegment();
        final TrackedConnection connection = TappedHandshake.connection();
        final RestoreSpec spec = RestoreSpec.of(
                        new InetSocketAddress(InetAddress.getByName("198.18.0.100"), Frames.SERVICE_PORT),
                        new InetSocketAddress(InetAddress.getByName("198.18.0.1"), Frames.CLIENT_PORT),
                        901,
                        101,
                        1460)
                .withTimestamps(1022)
                .withUnackedBytes(new byte[] {1, 2, 3});
        final byte[] ourMac = {2, 0, 0, 0, 0, 3};

        final byte[] frame = DuplicateAck.frame(ourMac, connection, spec, 501);

        assertThat(decoder.decode(frame, frame.length, frame.length, segment)).isEqualTo(DecodeResult.TCP);
        assertThat(segment.sourceAddress).isEqualTo(Frames.SERVER);
        assertThat(segment.destinationPort).isEqualTo(Frames.CLIENT_PORT);
        assertThat(Integer.toUnsignedLong(segment.sequence)).as("snd_nxt").isEqualTo(904);
        assertThat(Integer.toUnsignedLong(segment.acknowledgement))
                .as("rcv_nxt")
                .isEqualTo(101);
        assertThat(segment.flags).isEqualTo(TcpSegment.ACK);
        assertThat(segment.window).isEqualTo(501);
        assertThat(segment.timestampValue).isEqualTo(1022);
        assertThat(segment.timestampEcho).as("the client's last TSval").isEqualTo(33);
        assertThat(java.util.Arrays.copyOfRange(frame, 0, 6))
                .as("to the client's MAC")
                .containsExactly(2, 0, 0, 0, 0, 1);
        assertThat(segment.payloadLength).isZero();
    }
}
