package io.understudy.backup.capture;

import io.understudy.backup.track.ConnectionSummary;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackerConfig;
import io.understudy.backup.track.TrackerCounters;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Reads a pcap or pcapng file (as tcpdump, tshark or Wireshark write them) through the same decoder and tracker the
 * live tap uses, and gives the state of every connection at the end of the file.
 */
public final class PcapTrace {
    private PcapTrace() {}

    /**
     * @param verifyChecksums skip frames whose IPv4 or TCP checksum is wrong; false tracks them and counts them
     *                        (a capture taken on a host that offloads checksums has unfilled checksums in what that
     *                        host sent), as Wireshark does by default.
     * @throws IOException with the file name and the reason when the file cannot be read as a capture.
     */
    public static TraceResult read(final Path file, final Set<Integer> servicePorts, final boolean verifyChecksums)
            throws IOException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IOException(file + ": not a readable file");
        }
        final PcapHandle handle;
        try {
            handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
        } catch (final PcapNativeException ex) {
            throw new IOException(file + ": not a pcap or pcapng file libpcap can read: " + ex.getMessage(), ex);
        }
        try {
            return track(handle, servicePorts, verifyChecksums);
        } finally {
            handle.close();
        }
    }

    private static TraceResult track(
            final PcapHandle handle, final Set<Integer> servicePorts, final boolean verifyChecksums)
            throws IOException {
        final FrameDecoder decoder = new FrameDecoder(
                handle.getDlt().value(),
                verifyChecksums ? FrameDecoder.Checksums.VERIFY : FrameDecoder.Checksums.COUNT);
        final DecodeCounters decodeCounters = new DecodeCounters();
        final TcpTracker tracker = new TcpTracker(
                "trace", TrackerConfig.defaults(servicePorts), TapListener.NONE, new TrackerCounters(), true);
        final TcpSegment segment = new TcpSegment();
        try {
            while (true) {
                final byte[] frame;
                try {
                    frame = handle.getNextRawPacketEx();
                } catch (final TimeoutException ex) {
                    continue;
                }
                final long nowNs = timestampNs(handle);
                final DecodeResult result = decoder.decode(frame, frame.length, handle.getOriginalLength(), segment);
                decodeCounters.onFrame(result);
                if (result == DecodeResult.TCP) {
                    tracker.onSegment(segment, nowNs);
                }
            }
        } catch (final EOFException endOfFile) {
            final List<ConnectionSummary> summaries = new ArrayList<>();
            tracker.history().forEach(connection -> summaries.add(ConnectionSummary.of(connection)));
            return new TraceResult(
                    summaries, decodeCounters.frames(), decodeCounters.skipped(), decoder.wrongChecksums());
        } catch (final PcapNativeException | NotOpenException ex) {
            throw new IOException(
                    "reading the capture failed after " + decodeCounters.frames() + " frames: " + ex.getMessage(), ex);
        }
    }

    private static long timestampNs(final PcapHandle handle) {
        final java.sql.Timestamp timestamp = handle.getTimestamp();
        return timestamp.getTime() / 1000 * 1_000_000_000L + timestamp.getNanos();
    }
}
