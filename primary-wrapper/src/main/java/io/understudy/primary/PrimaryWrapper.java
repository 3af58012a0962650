package io.understudy.primary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The primary-side wrapper: listens on the service address and relays every client connection to the local app,
 * passing half-closes and resets through. Runs its relay agent on one thread of its own.
 */
public final class PrimaryWrapper implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryWrapper.class);
    private static final long IDLE_TIMEOUT_MS = 100;

    private final PrimaryWrapperConfig config;
    private final RelayCounters counters = new RelayCounters();
    private final RelayAgent agent;
    private final InetSocketAddress boundAddress;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    private PrimaryWrapper(final PrimaryWrapperConfig config) throws IOException
    {
        this.config = config;
        this.agent = new RelayAgent(config, counters);
        this.boundAddress = agent.boundAddress();
        this.thread = new Thread(this::run, "relay-" + config.nodeId());
        this.thread.setDaemon(true);
    }

    /**
     * Binds the service address and starts relaying.
     *
     * @throws IOException when the service address cannot be bound (the message names it).
     */
    public static PrimaryWrapper start(final PrimaryWrapperConfig config) throws IOException
    {
        final PrimaryWrapper wrapper = new PrimaryWrapper(config);
        wrapper.thread.start();
        LOG.info("[{}] relaying {} -> {}", config.nodeId(), wrapper.boundAddress, config.appAddress());
        return wrapper;
    }

    /** Where clients connect; the real port when the config asked for port 0. */
    public InetSocketAddress serviceAddress()
    {
        return boundAddress;
    }

    /**
     * Relays a connection that was established elsewhere (a restored client socket and the replica's connection to
     * the app, after a takeover), sending {@code toClient} to the client first. Safe from any thread.
     */
    public void adopt(final java.nio.channels.SocketChannel client, final java.nio.channels.SocketChannel app,
        final byte[] toClient)
    {
        agent.offer(new RelayAgent.Adoption(client, app, toClient.clone()));
    }

    public RelayStats stats()
    {
        return counters.snapshot();
    }

    /** The read log's state: shipped, acked, lag, degraded protection. */
    public ReadLogStats readLogStats()
    {
        return config.readLog().stats();
    }

    public boolean isRunning()
    {
        return running && thread.isAlive();
    }

    private void run()
    {
        MDC.put("node", config.nodeId());
        try
        {
            while (running)
            {
                if (agent.doWork(System.nanoTime()) == 0)
                {
                    agent.awaitWork(IDLE_TIMEOUT_MS);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.errors.incrementAndGet();
            LOG.error("[{}] relay stopped by an error", config.nodeId(), ex);
        }
        finally
        {
            running = false;
            stopped.countDown();
        }
    }

    /** Stops accepting, closes every relayed connection and releases the service address. */
    @Override
    public void close() throws IOException
    {
        running = false;
        agent.wakeUp();
        try
        {
            if (!stopped.await(5, TimeUnit.SECONDS))
            {
                LOG.warn("[{}] relay thread did not stop within 5 s", config.nodeId());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        agent.close();
        LOG.info("[{}] relay closed: {}", config.nodeId(), counters.snapshot());
    }
}
