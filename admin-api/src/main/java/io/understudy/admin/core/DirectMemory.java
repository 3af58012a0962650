package io.understudy.admin.core;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/** The JVM's direct memory, which holds every relay buffer: the connection cap must fit in it. */
final class DirectMemory {
    /** Share of direct memory the relay buffers may take; the rest is for the tap, the log and the JDK. */
    private static final double RELAY_SHARE = 0.75;

    private DirectMemory() {}

    /** The JVM's limit on direct memory: -XX:MaxDirectMemorySize, or the heap's maximum when that is not set. */
    static long maxBytes() {
        final HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        final long configured =
                Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
        return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
    }

    /**
     * @throws IllegalStateException naming both settings when maxConnections relayed connections would not fit.
     */
    static void checkFits(final int maxConnections, final int relayBufferBytes) {
        final long needed = 2L * relayBufferBytes * maxConnections;
        final long allowed = (long) (maxBytes() * RELAY_SHARE);
        if (needed > allowed) {
            throw new IllegalStateException("node.maxConnections=" + maxConnections + " x 2 x node.relayBufferBytes="
                    + relayBufferBytes
                    + " = " + (needed >> 20) + " MiB of direct memory, but this JVM allows " + (maxBytes() >> 20)
                    + " MiB (relay buffers may take " + (int) (RELAY_SHARE * 100) + " %): lower "
                    + "node.maxConnections or raise -XX:MaxDirectMemorySize (UNDERSTUDY_JAVA_OPTS)");
        }
    }
}
