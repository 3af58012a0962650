package io.understudy.admin.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.dropwizard.lifecycle.Managed;
import io.understudy.backup.BackupTapper;
import io.understudy.backup.TapConfig;
import io.understudy.backup.TapStats;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.primary.PrimaryWrapper;
import io.understudy.primary.PrimaryWrapperConfig;
import io.understudy.primary.RelayStats;

/**
 * The node's role in the pair, started and stopped with the Dropwizard server. A primary relays clients from the
 * service address to its app; a backup taps the service's traffic and tracks every connection.
 */
public final class Node implements Managed
{
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final NodeSettings settings;
    private volatile PrimaryWrapper wrapper;
    private volatile BackupTapper tapper;
    private volatile EventLog eventLog;

    public Node(final NodeSettings settings)
    {
        this.settings = settings;
    }

    @Override
    public void start() throws IOException
    {
        if (settings.getRole() == Role.PRIMARY)
        {
            wrapper = PrimaryWrapper.start(new PrimaryWrapperConfig(
                settings.getId(),
                new InetSocketAddress(settings.getServiceAddress(), settings.getServicePort()),
                new InetSocketAddress(settings.getAppAddress(), settings.getAppPort()),
                settings.getRelayBufferBytes()));
        }
        else
        {
            final EventLogSettings log = settings.getEventLog();
            eventLog = EventLog.open(EventLogConfig.of(Path.of(log.getDirectory()))
                .withRollCycle(log.getRollCycle())
                .withRetainCycles(log.getRetainCycles()));
            tapper = BackupTapper.start(tapConfig(), eventLog);
        }
        LOG.info("[{}] started as {}: service {}:{}, app {}:{}", settings.getId(), settings.getRole(),
            settings.getServiceAddress(), settings.getServicePort(), settings.getAppAddress(), settings.getAppPort());
    }

    private TapConfig tapConfig()
    {
        final TapSettings tap = settings.getTap();
        return new TapConfig(settings.getId(), tap.getInterfaceName(), settings.getServiceAddress(),
            java.util.Set.of(settings.getServicePort()), tap.getSnapLengthBytes(), tap.getBufferBytes(),
            new TapConfig.TrackerLimits(tap.getStreamCapBytes(), tap.getGlobalCapBytes(), tap.getMaxConnections()));
    }

    @Override
    public void stop() throws IOException
    {
        final PrimaryWrapper current = wrapper;
        if (current != null)
        {
            current.close();
        }
        final BackupTapper currentTapper = tapper;
        if (currentTapper != null)
        {
            currentTapper.close();
        }
        final EventLog currentLog = eventLog;
        if (currentLog != null)
        {
            currentLog.close();
        }
        LOG.info("[{}] stopped", settings.getId());
    }

    public NodeSettings settings()
    {
        return settings;
    }

    /** The relay, while this node is primary. */
    public Optional<PrimaryWrapper> wrapper()
    {
        return Optional.ofNullable(wrapper);
    }

    public Optional<TapStats> tapStats()
    {
        return Optional.ofNullable(tapper).map(BackupTapper::stats);
    }

    public Optional<RelayStats> relayStats()
    {
        return wrapper().map(PrimaryWrapper::stats);
    }
}
