package io.understudy.admin.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Two nodes' configs on 127.0.0.1 with free ports, and the helpers every membership test needs: start, wait with a
 * deadline, simulate a crash, close what was started.
 */
final class Pair implements AutoCloseable
{
    static final String LOOPBACK = "127.0.0.1";

    final MembershipConfig configA;
    final MembershipConfig configB;
    final RecordingListener listenerA = new RecordingListener();
    final RecordingListener listenerB = new RecordingListener();
    private final List<Membership> started = new ArrayList<>();

    Pair()
    {
        final int portA = freePort(-1);
        final int portB = freePort(portA);
        final List<String> peers = List.of(LOOPBACK + ":" + portA, LOOPBACK + ":" + portB);
        final String clusterName = "understudy-test-" + portA;
        configA = MembershipConfig.of("a", LOOPBACK, peers).withBindPort(portA).withClusterName(clusterName);
        configB = MembershipConfig.of("b", LOOPBACK, peers).withBindPort(portB).withClusterName(clusterName);
    }

    Membership startA()
    {
        return start(configA, listenerA);
    }

    Membership startB()
    {
        return start(configB, listenerB);
    }

    private Membership start(final MembershipConfig config, final MembershipListener listener)
    {
        final Membership membership = Membership.start(config, listener);
        started.add(membership);
        return membership;
    }

    /**
     * The closest in-JVM stand-in for kill -9: DISCARD drops everything in both directions (so no leave or goodbye
     * message goes out), then the stack is stopped without leaving, which closes the transport's and FD_SOCK2's
     * sockets the way the kernel closes a dead process's sockets. The node is not closed afterwards.
     */
    void crash(final Membership node)
    {
        started.remove(node);
        node.discardAll(true);
        node.channel().getProtocolStack().stopStack(node.channel().getClusterName());
        node.channel().getProtocolStack().destroy();
    }

    /** Polls the condition every 10 ms until it holds; fails with the description when the deadline passes. */
    static void awaitTrue(final BooleanSupplier condition, final Duration timeout, final String description)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("not true within " + timeout + ": " + description);
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    /** A free TCP port on 127.0.0.1 whose FD_SOCK2 companion (port + 100) is free too, and not the other port. */
    static int freePort(final int otherPort)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int port = bindEphemeral();
            if (port + 100 <= 65535 && Math.abs(port - otherPort) > 3 && Math.abs(port + 100 - otherPort) > 3
                && Math.abs(port - otherPort - 100) > 3 && isFree(port + 100))
            {
                return port;
            }
        }
        throw new AssertionError("no free port pair found on " + LOOPBACK);
    }

    private static int bindEphemeral()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK)))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot bind an ephemeral port on " + LOOPBACK, ex);
        }
    }

    private static boolean isFree(final int port)
    {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK)))
        {
            return socket.getLocalPort() == port;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    @Override
    public void close()
    {
        for (final Membership membership : List.copyOf(started))
        {
            membership.close();
        }
        started.clear();
    }
}
