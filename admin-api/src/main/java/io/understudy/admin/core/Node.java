package io.understudy.admin.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.dropwizard.lifecycle.Managed;
import io.understudy.primary.PrimaryWrapper;
import io.understudy.primary.PrimaryWrapperConfig;
import io.understudy.primary.RelayStats;

/**
 * The node's role in the pair, started and stopped with the Dropwizard server. A primary relays clients from the
 * service address to its app; a backup stands by.
 */
public final class Node implements Managed
{
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final NodeSettings settings;
    private volatile PrimaryWrapper wrapper;

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
        LOG.info("[{}] started as {}: service {}:{}, app {}:{}", settings.getId(), settings.getRole(),
            settings.getServiceAddress(), settings.getServicePort(), settings.getAppAddress(), settings.getAppPort());
    }

    @Override
    public void stop() throws IOException
    {
        final PrimaryWrapper current = wrapper;
        if (current != null)
        {
            current.close();
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

    public Optional<RelayStats> relayStats()
    {
        return wrapper().map(PrimaryWrapper::stats);
    }
}
