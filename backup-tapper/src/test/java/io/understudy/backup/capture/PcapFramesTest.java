package io.understudy.backup.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;

/**
 * Frames read from a live capture on lo by {@link PcapFrames}: the bytes, the length on the wire and the kernel's
 * stamp, as pcap4j's own reader gives them. UDP datagrams to 127.0.0.1 on a port of this test's; nothing leaves lo.
 */
@Timeout(20)
class PcapFramesTest {
    @Test
    void shouldReadEachFrameWithItsLengthAndStampAndNothingWhenNoneWaits() throws Exception {
        CapturePrivileges.require();
        try (DatagramChannel socket = loopbackSocket();
                PcapHandle handle = open(socket, 65535)) {
            final PcapFrames frames = new PcapFrames(handle);
            assertThat(frames.next()).as("nothing sent yet").isNull();
            final byte[] payload = "a datagram only this test sends".getBytes(StandardCharsets.US_ASCII);
            final long beforeUs = micros(Instant.now());

            socket.send(ByteBuffer.wrap(payload), socket.getLocalAddress());
            final byte[] frame = await(frames);

            // lo: a 14-byte Ethernet header of zeros, IPv4 (20), UDP (8), then the payload
            assertThat(frame).hasSize(14 + 20 + 8 + payload.length);
            assertThat(Arrays.copyOfRange(frame, 42, frame.length)).isEqualTo(payload);
            assertThat(frames.originalLength()).isEqualTo(frame.length);
            assertThat(frames.timestampMicros()).isBetween(beforeUs - 1_000_000, micros(Instant.now()) + 1_000_000);
            assertThat(frames.next()).as("one datagram, one frame").isNull();
        }
    }

    @Test
    void shouldGiveTheWireLengthOfAFrameTheSnapLengthCut() throws Exception {
        CapturePrivileges.require();
        try (DatagramChannel socket = loopbackSocket();
                PcapHandle handle = open(socket, 96)) {
            final PcapFrames frames = new PcapFrames(handle);

            socket.send(ByteBuffer.wrap(new byte[500]), socket.getLocalAddress());
            final byte[] frame = await(frames);

            assertThat(frame).hasSize(96);
            assertThat(frames.originalLength()).isEqualTo(14 + 20 + 8 + 500);
        }
    }

    @Test
    void shouldRefuseAClosedHandle() throws Exception {
        CapturePrivileges.require();
        try (DatagramChannel socket = loopbackSocket()) {
            final PcapHandle handle = open(socket, 65535);
            final PcapFrames frames = new PcapFrames(handle);
            handle.close();

            assertThatThrownBy(frames::next).isInstanceOf(NotOpenException.class);
        }
    }

    private static DatagramChannel loopbackSocket() throws java.io.IOException {
        return DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static PcapHandle open(final DatagramChannel socket, final int snapLength) throws Exception {
        final int port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
        final PcapHandle handle = new PcapHandle.Builder("lo")
                .snaplen(snapLength)
                .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                .immediateMode(true)
                .timeoutMillis(10)
                .build();
        handle.setFilter("udp and dst port " + port, BpfProgram.BpfCompileMode.OPTIMIZE);
        handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        return handle;
    }

    private static byte[] await(final PcapFrames frames) throws Exception {
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadlineNs < 0) {
            final byte[] frame = frames.next();
            if (frame != null) {
                return frame;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no frame captured within 5 s");
    }

    private static long micros(final Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }
}
