package io.understudy.backup.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.track.Frames;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackerConfig;
import io.understudy.backup.track.TrackerCounters;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames through the decoder and the tracker: nothing escapes, and every frame is counted once,
 * either as a tracked segment or under the reason it was skipped.
 */
class MalformedFramesFuzzTest {
    private static final int FRAMES = 200_000;

    @Test
    void shouldCountEveryFrameAndNeverThrowWhenFedRandomAndMutatedFrames() {
        final Random random = new Random(20261126L);
        final List<byte[]> valid = List.of(
                Frames.fromClient()
                        .seq(1)
                        .flags(TcpSegment.SYN)
                        .synOptions(1460, 7, 1, 0)
                        .build(),
                Frames.fromServer()
                        .seq(9)
                        .ack(2)
                        .flags(TcpSegment.SYN | TcpSegment.ACK)
                        .synOptions(1460, 7, 2, 1)
                        .build(),
                Frames.fromClient()
                        .seq(2)
                        .ack(10)
                        .payload("INCR a\n")
                        .timestamps(3, 2)
                        .build(),
                Frames.fromServer().seq(10).ack(9).payload("1 1\n").build(),
                Frames.fromClient()
                        .seq(9)
                        .ack(14)
                        .flags(TcpSegment.FIN | TcpSegment.ACK)
                        .build(),
                Frames.fromServer().seq(14).ack(10).flags(TcpSegment.RST).build());
        final DecodeCounters decodeCounters = new DecodeCounters();
        final TrackerCounters trackerCounters = new TrackerCounters();
        final TcpTracker tracker = new TcpTracker(
                "fuzz",
                new TrackerConfig(Set.of(Frames.SERVICE_PORT), 4096, 1 << 20, 64, 1000, 0),
                TapListener.NONE,
                trackerCounters,
                false);
        final FrameDecoder checking = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true);
        final FrameDecoder trusting = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, false);
        final TcpSegment segment = new TcpSegment();
        long tracked = 0;

        for (int i = 0; i < FRAMES; i++) {
            final byte[] frame =
                    i % 4 == 0 ? randomBytes(random) : mutate(valid.get(random.nextInt(valid.size())), random);
            final int captured = random.nextInt(8) == 0 ? random.nextInt(frame.length + 1) : frame.length;
            final DecodeResult result =
                    (i % 2 == 0 ? checking : trusting).decode(frame, captured, frame.length, segment);
            decodeCounters.onFrame(result);
            if (result == DecodeResult.TCP) {
                tracked++;
                tracker.onSegment(segment, i * 1_000_000L);
                tracker.expire(i * 1_000_000L);
            }
        }

        long counted = 0;
        for (final DecodeResult result : DecodeResult.values()) {
            counted += decodeCounters.count(result);
        }
        assertThat(counted).isEqualTo(FRAMES);
        assertThat(decodeCounters.frames()).isEqualTo(FRAMES);
        assertThat(decodeCounters.count(DecodeResult.TCP)).isEqualTo(tracked).isPositive();
        assertThat(trackerCounters.segments).isEqualTo(tracked);
        assertThat(decodeCounters.count(DecodeResult.BAD_TCP_CHECKSUM)).isPositive();
        assertThat(decodeCounters.count(DecodeResult.TRUNCATED)).isPositive();
        assertThat(tracker.budget().usedBytes()).isBetween(0L, 1L << 20);
    }

    private static byte[] randomBytes(final Random random) {
        final byte[] frame = new byte[random.nextInt(120)];
        random.nextBytes(frame);
        if (frame.length > 14 && random.nextBoolean()) {
            frame[12] = 0x08;
            frame[13] = 0x00;
            frame[14] = 0x45;
        }
        return frame;
    }

    private static byte[] mutate(final byte[] valid, final Random random) {
        final byte[] frame =
                random.nextInt(10) == 0 ? Arrays.copyOf(valid, random.nextInt(valid.length * 2 + 1)) : valid.clone();
        final int flips = random.nextInt(4);
        for (int i = 0; i < flips && frame.length > 0; i++) {
            frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
        }
        return frame;
    }
}
