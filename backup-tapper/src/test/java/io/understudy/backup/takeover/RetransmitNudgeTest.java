package io.understudy.backup.takeover;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.repair.RestoreSpec;
import io.understudy.backup.track.Frames;
import io.understudy.backup.track.TrackedConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ICMP nudge as tshark reads it (checksum status 1: good): a host unreachable from the VIP to the client, quoting
 * the client's segment to the service at the client's snd_una, the burst per candidate sequence number.
 */
class RetransmitNudgeTest {
    private static final byte[] OUR_MAC = {2, 0, 0, 0, 0, 3};

    @TempDir
    Path dir;

    @Test
    void shouldQuoteTheClientsSegmentAtItsUnackedSequenceWhenReadByTshark() throws Exception {
        final TrackedConnection connection = TappedHandshake.connection();
        final byte[] frame = RetransmitNudge.frame(OUR_MAC, connection, 101, 901);

        final List<String> fields = tshark(
                frame,
                "eth.dst",
                "ip.src",
                "ip.dst",
                "ip.checksum.status",
                "icmp.type",
                "icmp.code",
                "icmp.checksum.status",
                "tcp.srcport",
                "tcp.dstport",
                "tcp.seq",
                "tcp.ack_raw");

        assertThat(fields)
                .containsExactly(
                        "02:00:00:00:00:01",
                        "198.18.0.100,198.18.0.1",
                        "198.18.0.1,198.18.0.100",
                        "1,1",
                        "3",
                        "1",
                        "1",
                        String.valueOf(Frames.CLIENT_PORT),
                        String.valueOf(Frames.SERVICE_PORT),
                        "101",
                        "901");
    }

    @Test
    void shouldQuoteEachCandidateOfTheClientsUnackedSequenceOnce() throws Exception {
        final TrackedConnection connection = TappedHandshake.connection();

        assertThat(RetransmitNudge.framesFor(OUR_MAC, connection, spec(101)))
                .as("rcv_nxt is the primary's last ack: one")
                .containsExactly(RetransmitNudge.frame(OUR_MAC, connection, 101, 901));
        assertThat(RetransmitNudge.framesFor(OUR_MAC, connection, spec(104)))
                .as("client bytes went into the receive queue: both")
                .containsExactly(
                        RetransmitNudge.frame(OUR_MAC, connection, 101, 901),
                        RetransmitNudge.frame(OUR_MAC, connection, 104, 901));
        assertThat(RetransmitNudge.framesFor(null, connection, spec(101)))
                .as("no MAC of ours (loopback): none")
                .isEmpty();
    }

    @Test
    void shouldSendAsManyPassesAsTheOutageCanHaveDoubledTheClientsTimeout() {
        // Retransmissions 0.2, 0.6, 1.4, 3.0, 6.2 s after the first transmission, which may have come one RTO
        // (0.2 s) before the primary's last frame.
        assertThat(RetransmitNudge.rounds(0))
                .as("0.2 s: the first retransmission at most")
                .isEqualTo(1);
        assertThat(RetransmitNudge.rounds(350_000_000L)).as("0.55 s: one").isEqualTo(1);
        assertThat(RetransmitNudge.rounds(400_000_000L)).as("0.6 s: the second").isEqualTo(2);
        assertThat(RetransmitNudge.rounds(800_000_000L)).as("1.0 s").isEqualTo(2);
        assertThat(RetransmitNudge.rounds(1_200_000_000L))
                .as("1.4 s: the third")
                .isEqualTo(3);
        assertThat(RetransmitNudge.rounds(2_800_000_000L))
                .as("3.0 s: the fourth")
                .isEqualTo(4);
        assertThat(RetransmitNudge.rounds(60_000_000_000L))
                .as("a minute: capped")
                .isEqualTo(RetransmitNudge.MAX_ROUNDS);
        assertThat(RetransmitNudge.rounds(Long.MAX_VALUE))
                .as("never heard: capped")
                .isEqualTo(RetransmitNudge.MAX_ROUNDS);
        assertThat(RetransmitNudge.rounds(-5))
                .as("a clock step back: at least one")
                .isEqualTo(1);
    }

    private static RestoreSpec spec(final long recvSeq) throws IOException {
        return RestoreSpec.of(
                new InetSocketAddress(InetAddress.getByName("198.18.0.100"), Frames.SERVICE_PORT),
                new InetSocketAddress(InetAddress.getByName("198.18.0.1"), Frames.CLIENT_PORT),
                901,
                recvSeq,
                1460);
    }

    /** Writes {@code frame} as a one-packet pcap and has tshark print {@code fields} of it, one per line. */
    private List<String> tshark(final byte[] frame, final String... fields) throws Exception {
        final ByteBuffer pcap = ByteBuffer.allocate(24 + 16 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
        pcap.putInt(0xa1b2c3d4)
                .putShort((short) 2)
                .putShort((short) 4)
                .putInt(0)
                .putInt(0)
                .putInt(65535)
                .putInt(1);
        pcap.putInt(0).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        final Path file = dir.resolve("nudge.pcap");
        Files.write(file, pcap.array());
        final List<String> command =
                new java.util.ArrayList<>(List.of("tshark", "-r", file.toString(), "-o", "ip.check_checksum:TRUE"));
        command.addAll(List.of("-T", "fields", "-E", "separator=/t"));
        for (final String field : fields) {
            command.add("-e");
            command.add(field);
        }
        final Process tshark =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tshark.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tshark.exitValue()).as("tshark: %s", out).isZero();
        final String[] lines = out.strip().split("\n");
        return List.of(lines[lines.length - 1].split("\t", -1)); // after tshark's note on running as root
    }
}
