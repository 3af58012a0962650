package io.understudy.backup;

import io.understudy.backup.capture.DecodeCounters;
import io.understudy.backup.capture.DecodeResult;
import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.capture.PcapFrames;
import io.understudy.backup.replica.ReadLogFeed;
import io.understudy.backup.replica.ReplicaManager;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackedConnection;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tap's duty cycle: takes the frames the capture handle has ready (non-blocking), decodes them and feeds the
 * tracker. Never blocks; returns the work done so an idle strategy can back off when there is none.
 */
public final class CaptureAgent {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureAgent.class);
    private static final int FRAMES_PER_DUTY_CYCLE = 256;
    private static final long EXPIRY_INTERVAL_NS = 1_000_000_000L;

    private final String nodeId;
    private final PcapHandle handle;
    private final PcapFrames frames;
    private final FrameDecoder decoder;
    private final TcpTracker tracker;
    private final DecodeCounters decodeCounters;
    private final TcpSegment segment = new TcpSegment();
    private long nextExpiryNs;
    private volatile long errors;
    private volatile long kernelDrops;

    private final ReplicaManager replicas;
    private final ReadLogFeed feed;
    private volatile long caughtUpNs = System.nanoTime();
    private final java.util.Queue<java.util.concurrent.CompletableFuture<java.util.List<TapConnection>>> snapshots =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    public CaptureAgent(
            final String nodeId,
            final PcapHandle handle,
            final TcpTracker tracker,
            final DecodeCounters decodeCounters,
            final ReplicaManager replicas,
            final ReadLogFeed feed) {
        this.replicas = replicas;
        this.feed = feed;
        this.nodeId = nodeId;
        this.handle = handle;
        this.frames = new PcapFrames(handle);
        this.decoder = new FrameDecoder(handle.getDlt().value(), true);
        this.tracker = tracker;
        this.decodeCounters = decodeCounters;
    }

    /** When the capture last had no frame waiting (System.nanoTime()): it had caught up with the wire then. */
    public long caughtUpNs() {
        return caughtUpNs;
    }

    public int doWork(final long nowNs) {
        int work = 0;
        try {
            final java.time.Instant wallNow = java.time.Instant.now();
            final long wallNowUs = wallNow.getEpochSecond() * 1_000_000L + wallNow.getNano() / 1_000;
            long lastFrameNs = 0;
            boolean empty = false;
            for (; work < FRAMES_PER_DUTY_CYCLE; work++) {
                final byte[] frame = frames.next();
                if (frame == null) {
                    empty = true;
                    break;
                }
                lastFrameNs = frameNs(nowNs, wallNowUs, frames.timestampMicros());
                onFrame(frame, frames.originalLength(), lastFrameNs);
                if ((work & 31) == 31 && lastFrameNs - caughtUpNs > 0) {
                    caughtUpNs = lastFrameNs; // a long turn (a loaded host) still says how far it has heard
                }
            }
            if (empty) {
                caughtUpNs = nowNs; // every frame captured before this turn began has been taken in
            } else if (work > 0 && lastFrameNs - caughtUpNs > 0) {
                // Under steady traffic the queue is never empty: the capture has heard the wire up to the last
                // frame's stamp (frames come in order), which is how far behind it is, not since it last idled.
                caughtUpNs = lastFrameNs;
            }
        } catch (final NotOpenException | RuntimeException ex) {
            errors++;
            LOG.error("[{}] capture error after {} frames", nodeId, decodeCounters.frames(), ex);
        }
        final long framesDoneNs = System.nanoTime();
        if (feed != null) {
            work += feed.doWork(nowNs);
            tracker.drainInbox(nowNs);
        }
        final long feedDoneNs = System.nanoTime();
        java.util.concurrent.CompletableFuture<java.util.List<TapConnection>> snapshot;
        while ((snapshot = snapshots.poll()) != null) {
            snapshot.complete(connections());
            work++;
        }
        if (replicas != null) {
            work += replicas.doWork(nowNs);
            tracker.drainInbox(nowNs);
        }
        final long replicasDoneNs = System.nanoTime();
        if (nowNs - nextExpiryNs >= 0) {
            nextExpiryNs = nowNs + EXPIRY_INTERVAL_NS;
            work += tracker.expire(nowNs);
            sampleKernelDrops();
        }
        reportSlowTurn(nowNs, framesDoneNs, feedDoneNs, replicasDoneNs);
        return work;
    }

    private long nextSlowReportNs;

    /**
     * A turn that takes long holds the tap behind the wire (and every decision that waits for it): say where it went,
     * at most every 5 s.
     */
    private void reportSlowTurn(
            final long startNs, final long framesDoneNs, final long feedDoneNs, final long replicasDoneNs) {
        final long endNs = System.nanoTime();
        if (endNs - startNs > SLOW_TURN_NS && endNs - nextSlowReportNs >= 0) {
            nextSlowReportNs = endNs + 5_000_000_000L;
            LOG.warn(
                    "[{}] a capture turn took {} ms: frames {} ms, read log {} ms, replicas {} ms, the rest {} ms",
                    nodeId,
                    (endNs - startNs) / 1_000_000,
                    (framesDoneNs - startNs) / 1_000_000,
                    (feedDoneNs - framesDoneNs) / 1_000_000,
                    (replicasDoneNs - feedDoneNs) / 1_000_000,
                    (endNs - replicasDoneNs) / 1_000_000);
        }
    }

    private static final long SLOW_TURN_NS = 100_000_000L;

    /** How long a frame may have waited in the capture buffer at most, as far as its timestamp is believed. */
    private static final long MAX_CAPTURE_LAG_US = 5_000_000;

    /**
     * When the frame was on the wire, on the System.nanoTime() scale: now, less how long ago the kernel stamped it.
     * A tap that falls behind (a loaded host, a cold JIT) must not see a dead primary's last frames as recent: the
     * takeover waits for the tap to be quiet on the wire, not in this thread. Clamped to [now - 5 s, now] against
     * wall clock steps.
     */
    public static long frameNs(final long nowNs, final long wallNowUs, final long stampedUs) {
        if (stampedUs <= 0) {
            return nowNs;
        }
        final long lagUs = Math.max(0, Math.min(MAX_CAPTURE_LAG_US, wallNowUs - stampedUs));
        return nowNs - lagUs * 1_000;
    }

    private void onFrame(final byte[] frame, final Integer wireLength, final long nowNs) {
        final DecodeResult result =
                decoder.decode(frame, frame.length, wireLength == null ? frame.length : wireLength, segment);
        decodeCounters.onFrame(result);
        if (result == DecodeResult.TCP) {
            tracker.onSegment(segment, nowNs);
            tracker.drainInbox(nowNs); // what the replicas handed in as they took the segment's bytes
        }
    }

    /** Asks the capture thread for a snapshot of every tracked connection; any thread. */
    public java.util.concurrent.CompletableFuture<java.util.List<TapConnection>> requestConnections() {
        final java.util.concurrent.CompletableFuture<java.util.List<TapConnection>> snapshot =
                new java.util.concurrent.CompletableFuture<>();
        snapshots.add(snapshot);
        return snapshot;
    }

    /** Every tracked connection now; capture thread only (or once the capture is stopped). */
    public java.util.List<TapConnection> connections() {
        final java.util.List<TapConnection> all = new java.util.ArrayList<>();
        for (final TrackedConnection connection : tracker.connections()) {
            all.add(TapConnection.of(connection, replicas == null ? null : replicas.replica(connection.id)));
        }
        return all;
    }

    public long errors() {
        return errors;
    }

    /** Frames the kernel dropped, as last sampled by the capture thread (libpcap is not to be called from two). */
    public long kernelDrops() {
        return kernelDrops;
    }

    private void sampleKernelDrops() {
        try {
            kernelDrops = handle.getStats().getNumPacketsDropped();
        } catch (final PcapNativeException | NotOpenException ex) {
            errors++;
            LOG.warn("[{}] cannot read capture statistics: {}", nodeId, ex.getMessage());
        }
    }
}
