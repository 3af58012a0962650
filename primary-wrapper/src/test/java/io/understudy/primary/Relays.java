package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Waits, in tests, for the relay's counters to say what a test expects (they change on the relay thread). */
final class Relays {
    private Relays() {}

    /** A client of the relay, over loopback; reads give up after 10 s. */
    static Socket connectClient(final PrimaryWrapper wrapper) throws IOException {
        final Socket client = new Socket(
                InetAddress.getLoopbackAddress(), wrapper.serviceAddress().getPort());
        client.setSoTimeout(10_000);
        return client;
    }

    /** A test's end: the wrapper, then the app's listening socket, either maybe never made. */
    static void close(final PrimaryWrapper wrapper, final ServerSocket app) throws IOException {
        if (wrapper != null) {
            wrapper.close();
        }
        if (app != null) {
            app.close();
        }
    }

    /** An app that answers 'y' to the first byte of one connection, then closes it: a RST when {@code reset}. */
    static CompletableFuture<Void> answerOnceThenClose(final ServerSocket app, final boolean reset) {
        return CompletableFuture.runAsync(() -> {
            try (Socket socket = app.accept()) {
                socket.getInputStream().read();
                socket.getOutputStream().write('y');
                if (reset) {
                    socket.setSoLinger(true, 0);
                }
            } catch (final IOException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    /** The relay's stats once {@code condition} holds; fails the test after 10 s, naming the last stats. */
    static RelayStats awaitStats(final PrimaryWrapper wrapper, final Predicate<RelayStats> condition)
            throws InterruptedException {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        RelayStats stats = wrapper.stats();
        while (!condition.test(stats) && System.nanoTime() < deadlineNs) {
            Thread.sleep(5);
            stats = wrapper.stats();
        }
        assertThat(condition.test(stats)).as("relay stats %s", stats).isTrue();
        return stats;
    }
}
