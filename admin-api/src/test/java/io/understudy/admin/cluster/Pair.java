package io.understudy.admin.cluster;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Two nodes' configs on 127.0.0.1 with free ports and one random pair key, and the helpers every membership test
 * needs: start, wait with a deadline, simulate a crash, close what was started.
 */
final class Pair implements AutoCloseable {
    static final String LOOPBACK = "127.0.0.1";

    final byte[] key = randomKey();
    final List<String> peers;
    final String clusterName;
    final MembershipConfig configA;
    final MembershipConfig configB;
    final RecordingListener listenerA = new RecordingListener();
    final RecordingListener listenerB = new RecordingListener();
    private final List<Membership> started = new ArrayList<>();

    Pair() {
        final int portA = io.understudy.admin.TestPorts.forMembership();
        final int portB = io.understudy.admin.TestPorts.forMembership();
        peers = List.of(LOOPBACK + ":" + portA, LOOPBACK + ":" + portB);
        clusterName = "understudy-test-" + portA;
        configA = MembershipConfig.of("a", LOOPBACK, peers, key)
                .withBindPort(portA)
                .withClusterName(clusterName);
        configB = MembershipConfig.of("b", LOOPBACK, peers, key)
                .withBindPort(portB)
                .withClusterName(clusterName);
    }

    /**
     * A third node's config in this pair's cluster, on a free port that is not in the pair's peers, discovering the
     * pair through the same peer list: a stranger.
     *
     * @param key its key: the pair's, another, or null for an insecure node.
     */
    MembershipConfig strangerConfig(final String id, final byte[] key) {
        final int port = io.understudy.admin.TestPorts.forMembership();
        final MembershipConfig config = key == null
                ? MembershipConfig.insecure(id, LOOPBACK, peers)
                : MembershipConfig.of(id, LOOPBACK, peers, key);
        return config.withBindPort(port).withClusterName(clusterName);
    }

    /** Starts any node this pair closes at the end (a stranger, say). */
    Membership start(final MembershipConfig config, final MembershipListener listener) {
        final Membership membership = Membership.start(config, listener);
        started.add(membership);
        return membership;
    }

    static byte[] randomKey() {
        final byte[] bytes = new byte[MembershipConfig.KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    Membership startA() {
        return start(configA, listenerA);
    }

    Membership startB() {
        return start(configB, listenerB);
    }

    /**
     * The closest in-JVM stand-in for kill -9: DISCARD drops everything in both directions (so no leave or goodbye
     * message goes out), then the stack is stopped without leaving, which closes the transport's and FD_SOCK2's
     * sockets the way the kernel closes a dead process's sockets. The node is not closed afterwards.
     */
    void crash(final Membership node) {
        started.remove(node);
        node.discardAll(true);
        node.channel().getProtocolStack().stopStack(node.channel().getClusterName());
        node.channel().getProtocolStack().destroy();
    }

    /** Polls the condition every 10 ms until it holds; fails with the description when the deadline passes. */
    static void awaitTrue(final BooleanSupplier condition, final Duration timeout, final String description) {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new AssertionError("not true within " + timeout + ": " + description);
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    /** Polls the condition every 10 ms for the whole duration; fails with the description the first time it fails. */
    static void assertDuring(final BooleanSupplier condition, final Duration duration, final String description) {
        final long endNs = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() - endNs < 0) {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("not true throughout " + duration + ": " + description);
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    @Override
    public void close() {
        for (final Membership membership : List.copyOf(started)) {
            membership.close();
        }
        started.clear();
    }
}
