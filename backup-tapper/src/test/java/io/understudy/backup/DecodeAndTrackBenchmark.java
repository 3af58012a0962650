package io.understudy.backup;

import io.understudy.backup.capture.DecodeResult;
import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.fixtures.FixturePorts;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackerConfig;
import io.understudy.backup.track.TrackerCounters;
import java.io.EOFException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

/**
 * Decode + track, one captured frame per operation, over a trace recorded in the lab: the tap's per-packet cost on
 * one core. Each pass over the trace starts a fresh tracker, as if the trace were new traffic. Run with ops/bench.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeAndTrackBenchmark {
    @Param({"many-connections", "bulk", "loss-to-server"})
    public String fixture;

    private byte[][] frames;
    private int[] wireLengths;
    private int linkType;
    private int next;
    private int servicePort;
    private FrameDecoder decoder;
    private TcpTracker tracker;
    private final TcpSegment segment = new TcpSegment();

    @Setup
    public void load() throws Exception {
        final Path file = Path.of(System.getProperty("understudy.fixtures", "src/test/resources/fixtures"))
                .resolve(fixture + ".pcap");
        servicePort = Integer.parseInt(
                System.getProperty("understudy.fixture.port." + fixture, String.valueOf(FixturePorts.of(fixture))));
        final List<byte[]> read = new ArrayList<>();
        final List<Integer> lengths = new ArrayList<>();
        final PcapHandle handle = Pcaps.openOffline(file.toString());
        try {
            linkType = handle.getDlt().value();
            while (true) {
                try {
                    read.add(handle.getNextRawPacketEx());
                    lengths.add(handle.getOriginalLength());
                } catch (final TimeoutException ex) {
                    continue;
                } catch (final EOFException ex) {
                    break;
                }
            }
        } finally {
            handle.close();
        }
        frames = read.toArray(byte[][]::new);
        wireLengths = lengths.stream().mapToInt(Integer::intValue).toArray();
        decoder = new FrameDecoder(linkType, true);
        tracker = newTracker();
    }

    private TcpTracker newTracker() {
        return new TcpTracker(
                "bench", TrackerConfig.defaults(Set.of(servicePort)), TapListener.NONE, new TrackerCounters(), false);
    }

    @Benchmark
    public int decodeAndTrack() {
        if (next == frames.length) {
            next = 0;
            tracker = newTracker();
        }
        final byte[] frame = frames[next];
        final DecodeResult result = decoder.decode(frame, frame.length, wireLengths[next], segment);
        next++;
        if (result == DecodeResult.TCP) {
            tracker.onSegment(segment, next);
        }
        return result.ordinal();
    }
}
