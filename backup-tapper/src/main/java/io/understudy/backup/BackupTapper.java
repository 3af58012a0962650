package io.understudy.backup;

import java.io.IOException;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.understudy.logger.EventLog;

/**
 * The backup's tap: captures the service's traffic on the LAN interface in promiscuous mode and tracks the TCP state
 * of every connection, on a capture thread of its own.
 */
public final class BackupTapper implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(BackupTapper.class);

    private final TapConfig config;
    private final PcapHandle handle;
    private final TcpTracker tracker;
    private final TrackerCounters trackerCounters = new TrackerCounters();
    private final DecodeCounters decodeCounters = new DecodeCounters();
    private final CaptureAgent agent;
    private final AgentRunner runner;
    private final TapEventRecorder recorder;

    private BackupTapper(final TapConfig config, final PcapHandle handle, final EventLog log)
    {
        this.config = config;
        this.handle = handle;
        this.recorder = new TapEventRecorder(config.nodeId(), log);
        // Ids from the clock (milliseconds << 16) stay unique in the log across restarts of the tap.
        this.tracker = new TcpTracker(config.nodeId(), config.trackerConfig(), recorder, trackerCounters, false,
            System.currentTimeMillis() << 16);
        this.agent = new CaptureAgent(config.nodeId(), handle, tracker, decodeCounters);
        final SystemNanoClock clock = new SystemNanoClock();
        this.runner = new AgentRunner(
            new BackoffIdleStrategy(100, 10, 1_000, 1_000_000),
            error -> LOG.error("[{}] tap agent error", config.nodeId(), error),
            null,
            new org.agrona.concurrent.Agent()
            {
                @Override
                public int doWork()
                {
                    return agent.doWork(clock.nanoTime());
                }

                @Override
                public String roleName()
                {
                    return "tap-" + config.nodeId();
                }
            });
    }

    /**
     * Opens the capture and starts tracking, appending what the tap learns to {@code log} (the caller owns the log
     * and closes it after this tapper).
     *
     * @throws IOException naming the interface and the reason (no such interface, no permission, bad filter).
     */
    public static BackupTapper start(final TapConfig config, final EventLog log) throws IOException
    {
        final PcapHandle handle = open(config);
        final BackupTapper tapper = new BackupTapper(config, handle, log);
        AgentRunner.startOnThread(tapper.runner);
        LOG.info("[{}] tapping {} in promiscuous mode, filter '{}'", config.nodeId(), config.interfaceName(),
            config.captureFilter());
        return tapper;
    }

    private static PcapHandle open(final TapConfig config) throws IOException
    {
        PcapHandle handle = null;
        try
        {
            handle = new PcapHandle.Builder(config.interfaceName())
                .snaplen(config.snapLengthBytes())
                .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                .immediateMode(true)
                .bufferSize(config.bufferBytes())
                .timeoutMillis(10)
                .build();
            handle.setFilter(config.captureFilter(), org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            return handle;
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            if (handle != null)
            {
                handle.close();
            }
            throw new IOException("cannot capture on interface '" + config.interfaceName() + "' (needs CAP_NET_RAW " +
                "and an existing interface): " + ex.getMessage(), ex);
        }
    }

    public TapStats stats()
    {
        int tracked = 0;
        for (final TrackedConnection ignored : tracker.connections())
        {
            tracked++;
        }
        return new TapStats(
            !runner.isClosed(),
            decodeCounters.frames(),
            decodeCounters.skipped(),
            trackerCounters.segments,
            agent.kernelDrops(),
            tracked,
            trackerCounters.connectionsOpened,
            trackerCounters.connectionsMidStream,
            trackerCounters.overflowedStreams,
            tracker.budget().usedBytes(),
            recorder.appended(),
            recorder.failures(),
            agent.errors());
    }

    /** Stops the capture thread and closes the capture. */
    @Override
    public void close()
    {
        runner.close();
        handle.close();
        LOG.info("[{}] tap closed: {}", config.nodeId(), stats());
    }
}
