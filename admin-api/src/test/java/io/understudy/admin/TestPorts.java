package io.understudy.admin;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 for a test to bind later (a node's membership, service or logger port), chosen below the kernel's
 * ephemeral range (32768 and up by default). A port the kernel hands out for a probe socket is in that range, and
 * between the probe's close and the test's bind any outgoing connection may take it as its local port: a CI run
 * failed so ("could not join cluster ... No available port to bind to in range [33693 .. 33693]"). Each port is
 * found free for TCP and UDP, with its companions (JGroups' FD_SOCK2 listens at the membership port + 100), and
 * none is handed out twice in one JVM.
 */
public final class TestPorts {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private TestPorts() {}

    /** A free port. */
    public static int free() {
        return free(new int[0]);
    }

    /** A free port for a node's membership: JGroups' FD_SOCK2 listens at port + 100 (port_range 3), free too. */
    public static int forMembership() {
        return free(100, 101, 102, 103);
    }

    /** A free port whose companions, port + each offset, are free too (and none of them handed out before). */
    public static int free(final int... companionOffsets) {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 500; attempt++) {
            final int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (isFree(loopback, port) && companionsFree(loopback, port, companionOffsets) && HANDED_OUT.add(port)) {
                for (final int offset : companionOffsets) {
                    HANDED_OUT.add(port + offset);
                }
                return port;
            }
        }
        throw new AssertionError("no free port found between " + LOW + " and " + HIGH + " on " + loopback);
    }

    private static boolean companionsFree(final InetAddress address, final int port, final int[] offsets) {
        for (final int offset : offsets) {
            if (HANDED_OUT.contains(port + offset) || !isFree(address, port + offset)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFree(final InetAddress address, final int port) {
        if (HANDED_OUT.contains(port)) {
            return false;
        }
        try (ServerSocket tcp = new ServerSocket();
                DatagramSocket udp = new DatagramSocket(null)) {
            tcp.bind(new InetSocketAddress(address, port), 1);
            udp.bind(new InetSocketAddress(address, port));
            return true;
        } catch (final IOException ex) {
            return false;
        }
    }
}
