package io.understudy.backup.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.takeover.GratuitousArp;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ARP probe is laid out as RFC 5227 asks, and a captured frame is a conflict exactly when another MAC has (or,
 * while we probe, asks for) the address: our own frames, frames for other addresses and broken frames never are.
 */
class ArpFramesTest {
    private static final byte[] OUR_MAC = {2, 0, 0, 0, 0, 3};
    private static final byte[] OTHER_MAC = {(byte) 0xaa, (byte) 0xbb, 0, 0, 0, (byte) 0x99};
    private static final int VIP = Ipv4.ipv4("198.18.0.100");
    private static final int OTHER_ADDRESS = Ipv4.ipv4("198.18.0.101");

    private static byte[] reply(final byte[] mac, final int senderAddress) {
        return ArpFrames.frame(mac, ArpFrames.REPLY, senderAddress, OUR_MAC, Ipv4.ipv4("198.18.0.2"));
    }

    @Test
    void shouldBuildAnRfc5227ProbeWhenProbing() {
        final byte[] probe = ArpFrames.probe(OUR_MAC, VIP);

        assertThat(probe).hasSize(42);
        assertThat(Arrays.copyOfRange(probe, 0, 6)).as("broadcast").containsOnly(-1);
        assertThat(Arrays.copyOfRange(probe, 6, 12)).as("from our MAC").isEqualTo(OUR_MAC);
        assertThat(Arrays.copyOfRange(probe, 12, 22))
                .as("ARP, Ethernet/IPv4, request")
                .containsExactly(0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1);
        assertThat(Arrays.copyOfRange(probe, 22, 28)).as("sender MAC").isEqualTo(OUR_MAC);
        assertThat(Arrays.copyOfRange(probe, 28, 38))
                .as("sender IP and target MAC")
                .containsOnly(0);
        assertThat(Arrays.copyOfRange(probe, 38, 42)).as("target IP").containsExactly(198, 18, 0, 100);
    }

    @Test
    void shouldReportTheOtherMacWhenAnotherHostRepliesForTheAddress() {
        final byte[] frame = reply(OTHER_MAC, VIP);

        assertThat(ArpFrames.claimant(frame, frame.length, VIP, OUR_MAC)).isEqualTo("aa:bb:00:00:00:99");
        assertThat(ArpFrames.conflictWhileProbing(frame, frame.length, VIP, OUR_MAC))
                .isEqualTo("aa:bb:00:00:00:99");
    }

    @Test
    void shouldReportAnotherHostsGratuitousArpAndIgnoreOursWhenTheyAnnounceTheAddress() {
        for (final int operation : new int[] {GratuitousArp.REQUEST, GratuitousArp.REPLY}) {
            final byte[] theirs = GratuitousArp.frame(OTHER_MAC, VIP, operation);
            final byte[] ours = GratuitousArp.frame(OUR_MAC, VIP, operation);

            assertThat(ArpFrames.claimant(theirs, theirs.length, VIP, OUR_MAC)).isEqualTo("aa:bb:00:00:00:99");
            assertThat(ArpFrames.claimant(ours, ours.length, VIP, OUR_MAC)).isNull();
            assertThat(ArpFrames.conflictWhileProbing(ours, ours.length, VIP, OUR_MAC))
                    .isNull();
        }
    }

    @Test
    void shouldNotReportOurOwnMacWhenItRepliesForTheAddress() {
        final byte[] frame = reply(OUR_MAC, VIP);

        assertThat(ArpFrames.conflictWhileProbing(frame, frame.length, VIP, OUR_MAC))
                .isNull();
    }

    @Test
    void shouldNotReportWhenTheFrameIsForAnotherAddress() {
        final byte[] otherReply = reply(OTHER_MAC, OTHER_ADDRESS);
        final byte[] otherProbe = ArpFrames.probe(OTHER_MAC, OTHER_ADDRESS);
        // A request from another host that merely asks who has the VIP (it wants to talk to it) claims nothing.
        final byte[] question = ArpFrames.frame(OTHER_MAC, ArpFrames.REQUEST, OTHER_ADDRESS, ArpFrames.NO_MAC, VIP);

        for (final byte[] frame : new byte[][] {otherReply, otherProbe, question}) {
            assertThat(ArpFrames.conflictWhileProbing(frame, frame.length, VIP, OUR_MAC))
                    .isNull();
        }
    }

    @Test
    void shouldReportAnotherHostsProbeOnlyWhileProbing() {
        final byte[] theirs = ArpFrames.probe(OTHER_MAC, VIP);
        final byte[] ours = ArpFrames.probe(OUR_MAC, VIP);

        assertThat(ArpFrames.conflictWhileProbing(theirs, theirs.length, VIP, OUR_MAC))
                .isEqualTo("aa:bb:00:00:00:99");
        assertThat(ArpFrames.conflictWhileProbing(ours, ours.length, VIP, OUR_MAC))
                .as("our own, captured")
                .isNull();
        assertThat(ArpFrames.claimant(theirs, theirs.length, VIP, OUR_MAC))
                .as("a probe claims nothing")
                .isNull();
    }

    @Test
    void shouldReportAConflictWhenTheFrameIsPaddedToTheEthernetMinimum() {
        final byte[] padded = Arrays.copyOf(reply(OTHER_MAC, VIP), 60);

        assertThat(ArpFrames.claimant(padded, padded.length, VIP, OUR_MAC)).isEqualTo("aa:bb:00:00:00:99");
    }

    @Test
    void shouldIgnoreTruncatedFramesWithoutThrowing() {
        final byte[] frame = reply(OTHER_MAC, VIP);
        for (int length = 0; length < frame.length; length++) {
            final byte[] truncated = Arrays.copyOf(frame, length);

            assertThat(ArpFrames.conflictWhileProbing(truncated, length, VIP, OUR_MAC))
                    .as("length " + length)
                    .isNull();
        }
        assertThat(ArpFrames.conflictWhileProbing(frame, frame.length + 1, VIP, OUR_MAC))
                .as("length past the bytes")
                .isNull();
        assertThat(ArpFrames.conflictWhileProbing(null, 0, VIP, OUR_MAC)).isNull();
    }

    @Test
    void shouldIgnoreMalformedFramesWhenAFieldIsWrong() {
        final int[][] corruptions = {
            {12, 0x08, 13, 0x00}, // IPv4, not ARP
            {15, 6}, // hardware type 6
            {17, 0xdd}, // protocol type 0x08dd
            {18, 8}, // hardware address length 8
            {19, 16}, // protocol address length 16
            {21, 3}, // operation 3 (RARP)
        };
        for (final int[] corruption : corruptions) {
            final byte[] frame = reply(OTHER_MAC, VIP);
            for (int i = 0; i < corruption.length; i += 2) {
                frame[corruption[i]] = (byte) corruption[i + 1];
            }

            assertThat(ArpFrames.conflictWhileProbing(frame, frame.length, VIP, OUR_MAC))
                    .as(Arrays.toString(corruption))
                    .isNull();
        }
    }

    @Test
    void shouldNeverThrowWhenGivenRandomBytes() {
        final Random random = new Random(12);
        final byte[] reply = reply(OTHER_MAC, VIP);
        for (int round = 0; round < 20_000; round++) {
            final byte[] frame = round % 2 == 0 ? new byte[random.nextInt(80)] : reply.clone();
            if (round % 2 == 0) {
                random.nextBytes(frame);
            } else {
                frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
            }
            final String conflict = ArpFrames.conflictWhileProbing(frame, frame.length, VIP, OUR_MAC);

            assertThat(conflict).matches(mac -> mac == null || mac.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"));
        }
    }
}
