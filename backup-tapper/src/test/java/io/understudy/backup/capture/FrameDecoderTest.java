package io.understudy.backup.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.track.Frames;
import io.understudy.backup.track.TcpSegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private final FrameDecoder decoder = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true);
    private final TcpSegment segment = new TcpSegment();

    @Test
    void shouldDecodeEveryFieldAndOptionWhenFrameIsWellFormed() {
        final byte[] frame = Frames.fromClient()
                .seq(0xFFFFFFF0L)
                .ack(7)
                .flags(TcpSegment.SYN)
                .synOptions(1460, 7, 123456, 0)
                .window(64240)
                .build();

        assertThat(decoder.decode(frame, frame.length, frame.length, segment)).isEqualTo(DecodeResult.TCP);
        assertThat(segment.sourceAddress).isEqualTo(Frames.CLIENT);
        assertThat(segment.destinationPort).isEqualTo(Frames.SERVICE_PORT);
        assertThat(Integer.toUnsignedLong(segment.sequence)).isEqualTo(0xFFFFFFF0L);
        assertThat(segment.has(TcpSegment.SYN)).isTrue();
        assertThat(segment.window).isEqualTo(64240);
        assertThat(segment.mss).isEqualTo(1460);
        assertThat(segment.windowScale).isEqualTo(7);
        assertThat(segment.sackPermitted).isTrue();
        assertThat(segment.hasTimestamp).isTrue();
        assertThat(segment.timestampValue).isEqualTo(123456);
        assertThat(segment.payloadLength).isZero();
    }

    @Test
    void shouldPointAtPayloadWhenSegmentCarriesData() {
        final byte[] frame =
                Frames.fromServer().seq(1).payload("hello").timestamps(5, 6).build();

        assertThat(decoder.decode(frame, frame.length, frame.length, segment)).isEqualTo(DecodeResult.TCP);
        assertThat(new String(segment.frame, segment.payloadOffset, segment.payloadLength))
                .isEqualTo("hello");
        assertThat(segment.timestampEcho).isEqualTo(6);
    }

    @Test
    void shouldSayTruncatedWhenSnapLengthCutTheFrame() {
        final byte[] frame = Frames.fromClient().payload("0123456789").build();

        assertThat(decoder.decode(frame, frame.length - 4, frame.length, segment))
                .isEqualTo(DecodeResult.TRUNCATED);
    }

    @Test
    void shouldSayBadChecksumWhenPayloadByteFlipped() {
        final byte[] frame = Frames.fromClient().payload("0123456789").build();
        frame[frame.length - 1] ^= 0x01;

        assertThat(decoder.decode(frame, frame.length, frame.length, segment)).isEqualTo(DecodeResult.BAD_TCP_CHECKSUM);
        assertThat(new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, false)
                        .decode(frame, frame.length, frame.length, segment))
                .isEqualTo(DecodeResult.TCP);
    }

    @Test
    void shouldDecodeAndCountFramesWithAWrongChecksumWhenAskedToCountThem() {
        final FrameDecoder counting = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, FrameDecoder.Checksums.COUNT);
        final byte[] badTcp = Frames.fromClient().payload("0123456789").build();
        badTcp[badTcp.length - 1] ^= 0x01;
        final byte[] badIp = Frames.fromClient().build();
        badIp[22] ^= 0x01;
        final byte[] good = Frames.fromClient().payload("fine").build();

        assertThat(counting.decode(badTcp, badTcp.length, badTcp.length, segment))
                .isEqualTo(DecodeResult.TCP);
        assertThat(segment.payloadLength).isEqualTo(10);
        assertThat(counting.decode(badIp, badIp.length, badIp.length, segment)).isEqualTo(DecodeResult.TCP);
        assertThat(counting.decode(good, good.length, good.length, segment)).isEqualTo(DecodeResult.TCP);
        assertThat(counting.wrongChecksums()).as("the two wrong ones").isEqualTo(2);
        assertThat(decoder.wrongChecksums())
                .as("a verifying decoder skips them, counting none")
                .isZero();
    }

    @Test
    void shouldSayBadIpChecksumWhenHeaderByteFlipped() {
        final byte[] frame = Frames.fromClient().build();
        frame[22] ^= 0x01; // TTL

        assertThat(decoder.decode(frame, frame.length, frame.length, segment)).isEqualTo(DecodeResult.BAD_IP_CHECKSUM);
    }

    @Test
    void shouldSkipNonIpv4AndNonTcpAndFragments() {
        final byte[] arp = Frames.fromClient().build();
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertThat(decoder.decode(arp, arp.length, arp.length, segment)).isEqualTo(DecodeResult.NOT_IPV4);

        final byte[] udp = Frames.fromClient().build();
        udp[23] = 17;
        assertThat(decoder.decode(udp, udp.length, udp.length, segment)).isEqualTo(DecodeResult.NOT_TCP);

        final byte[] fragment = Frames.fromClient().build();
        fragment[20] = 0x20; // more fragments
        assertThat(decoder.decode(fragment, fragment.length, fragment.length, segment))
                .isEqualTo(DecodeResult.FRAGMENT);
    }

    @Test
    void shouldSeeThroughVlanTagsWhenEthernetIsTagged() {
        final byte[] plain = Frames.fromClient().payload("x").build();
        final byte[] tagged = new byte[plain.length + 4];
        System.arraycopy(plain, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[13] = 0x00;
        tagged[14] = 0x00;
        tagged[15] = 0x05;
        System.arraycopy(plain, 12, tagged, 16, plain.length - 12);

        assertThat(decoder.decode(tagged, tagged.length, tagged.length, segment))
                .isEqualTo(DecodeResult.TCP);
        assertThat(segment.payloadLength).isEqualTo(1);
    }

    @Test
    void shouldSayMalformedWhenLengthsLie() {
        final byte[] frame = Frames.fromClient().build();
        frame[14] = 0x44; // IHL 4: shorter than the minimum header
        assertThat(decoder.decode(frame, frame.length, frame.length, segment)).isEqualTo(DecodeResult.MALFORMED);

        final byte[] shortFrame = Arrays.copyOf(Frames.fromClient().build(), 20);
        assertThat(decoder.decode(shortFrame, 20, 20, segment)).isEqualTo(DecodeResult.MALFORMED);
    }

    @Test
    void shouldSayUnsupportedWhenLinkTypeIsUnknown() {
        final byte[] frame = Frames.fromClient().build();

        assertThat(new FrameDecoder(9999, true).decode(frame, frame.length, frame.length, segment))
                .isEqualTo(DecodeResult.UNSUPPORTED_LINK);
    }
}
