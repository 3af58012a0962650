package io.understudy.logger;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Helpers for tests over real sockets on the loopback: addresses, waiting for a state, records to ship. */
final class Shipping {
    static final Duration AWAIT = Duration.ofSeconds(30);
    static final long RECONNECT_MS = 20;
    static final long LARGE_BUFFER = 256L << 20;
    /** The read-log key of the tests' pair. */
    static final LogAuth KEY = LogAuth.of(key(7));
    /** A key of another pair: a stranger's. */
    static final LogAuth OTHER_KEY = LogAuth.of(key(8));

    private Shipping() {}

    static byte[] key(final int fill) {
        final byte[] key = new byte[LogAuth.KEY_BYTES];
        java.util.Arrays.fill(key, (byte) fill);
        return key;
    }

    /** The loopback with port 0: the server picks a free port. */
    static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** A loopback address with a port nobody listens on now (it was free a moment ago). */
    static InetSocketAddress unusedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
    }

    /** Waits until the condition holds, failing with the description and the state after {@link #AWAIT}. */
    static void await(final String what, final BooleanSupplier condition, final Supplier<Object> state) {
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + AWAIT + " waiting for " + what + "; state: " + state.get());
            }
            try {
                Thread.sleep(2);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /** A read of {@code text} at {@code offset}, with the shipper's next seq. */
    static PrimaryRead read(final LogShipper shipper, final long connectionId, final long offset, final String text) {
        final long seq = shipper.nextSeq();
        return new PrimaryRead(connectionId, seq, seq, offset, text.getBytes(StandardCharsets.US_ASCII));
    }
}
