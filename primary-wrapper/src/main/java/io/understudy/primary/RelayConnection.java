package io.understudy.primary;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its loopback connection to the app. A reset on either side is passed on as a reset of
 * the other; a half-close is passed on as a shutdown of output once the bytes before it were delivered.
 */
final class RelayConnection
{
    private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);
    private static final int MAX_ROUNDS_PER_EVENT = 16;

    private final String nodeId;
    private final String name;
    private final SocketChannel client;
    private final SocketChannel app;
    private final RelayDirection upstream;
    private final RelayDirection downstream;
    private final RelayCounters counters;
    private final CloseGuard guard;
    private final java.net.InetSocketAddress clientAddress;
    private SelectionKey clientKey;
    private SelectionKey appKey;
    private boolean appConnected;
    private boolean closed;

    RelayConnection(
        final String nodeId,
        final SocketChannel client,
        final SocketChannel app,
        final int bufferBytes,
        final RelayCounters counters,
        final CloseGuard guard) throws IOException
    {
        this(nodeId, client, app, bufferBytes, counters, guard, new byte[0]);
    }

    /** A connection whose app side already produced {@code toClient}: relayed to the client before anything else. */
    RelayConnection(
        final String nodeId,
        final SocketChannel client,
        final SocketChannel app,
        final int bufferBytes,
        final RelayCounters counters,
        final CloseGuard guard,
        final byte[] toClient) throws IOException
    {
        this.nodeId = nodeId;
        this.guard = guard;
        this.clientAddress = (java.net.InetSocketAddress)client.getRemoteAddress();
        this.name = String.valueOf(clientAddress);
        this.client = client;
        this.app = app;
        this.upstream = new RelayDirection(client, app, bufferBytes);
        this.downstream = new RelayDirection(app, client, bufferBytes, toClient);
        this.downstream.beforeSinkShutdown(() -> guard.authorize(clientAddress));
        this.counters = counters;
    }

    void register(final Selector selector, final boolean connectedAlready) throws IOException
    {
        appConnected = connectedAlready;
        clientKey = client.register(selector, SelectionKey.OP_READ, this);
        appKey = app.register(selector, connectedAlready ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
        if (connectedAlready)
        {
            updateInterest();
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    /** Handles readiness of either socket: completes the app connect, then moves bytes both ways. */
    void onReady(final SelectionKey key)
    {
        if (closed)
        {
            return;
        }
        if (!appConnected && key == appKey && !tryFinishConnect())
        {
            return;
        }
        try
        {
            pump(upstream);
            if (appConnected)
            {
                pump(downstream);
            }
        }
        catch (final RelayDirection.SideFailure failure)
        {
            onSideFailed(failure);
            return;
        }
        if (upstream.isFinished() && downstream.isFinished())
        {
            LOG.debug("[{}] {} closed by both sides", nodeId, name);
            close();
            return;
        }
        updateInterest();
    }

    private boolean tryFinishConnect()
    {
        try
        {
            if (!app.finishConnect())
            {
                return false;
            }
            appConnected = true;
            app.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return true;
        }
        catch (final IOException ex)
        {
            counters.appConnectFailures.incrementAndGet();
            LOG.warn("[{}] {} reset: app unreachable: {}", nodeId, name, ex.getMessage());
            guard.authorize(clientAddress);
            abort(client);
            closeQuietly(app);
            markClosed();
            return false;
        }
    }

    private void pump(final RelayDirection direction) throws RelayDirection.SideFailure
    {
        final boolean toApp = direction == upstream;
        for (int round = 0; round < MAX_ROUNDS_PER_EVENT; round++)
        {
            final int read = direction.fill();
            final int written = toApp && !appConnected ? 0 : direction.drain();
            if (written > 0)
            {
                (toApp ? counters.bytesFromClients : counters.bytesToClients).addAndGet(written);
            }
            if (read == 0 && written == 0)
            {
                return;
            }
        }
    }

    private void onSideFailed(final RelayDirection.SideFailure failure)
    {
        final boolean clientFailed = failure.side == client;
        (clientFailed ? counters.resetsFromClients : counters.resetsFromApp).incrementAndGet();
        LOG.debug("[{}] {} {} failed ({}): resetting the other side", nodeId, name,
            clientFailed ? "client" : "app", failure.getMessage());
        if (!clientFailed)
        {
            guard.authorize(clientAddress);
        }
        abort(clientFailed ? app : client);
        closeQuietly(clientFailed ? client : app);
        markClosed();
    }

    private void updateInterest()
    {
        clientKey.interestOps(
            (upstream.wantsRead() ? SelectionKey.OP_READ : 0) | (downstream.hasPending() ? SelectionKey.OP_WRITE : 0));
        if (appConnected)
        {
            appKey.interestOps(
                (downstream.wantsRead() ? SelectionKey.OP_READ : 0) | (upstream.hasPending() ? SelectionKey.OP_WRITE : 0));
        }
    }

    /** Closes both sockets normally (FIN where not already sent). */
    void close()
    {
        if (!closed && !downstream.isFinished())
        {
            guard.authorize(clientAddress);
        }
        closeQuietly(client);
        closeQuietly(app);
        markClosed();
    }

    private void markClosed()
    {
        if (!closed)
        {
            closed = true;
            counters.connectionsOpen.decrementAndGet();
        }
    }

    /** Closes with SO_LINGER 0, so the peer gets a RST: how a reset is passed on. */
    private static void abort(final SocketChannel channel)
    {
        try
        {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        }
        catch (final IOException | RuntimeException ignored)
        {
            // already closed or never connected: closing is all that is left to do
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // close of a failed socket: nothing more to release
        }
    }
}
