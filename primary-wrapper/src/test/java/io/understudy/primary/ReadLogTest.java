package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.logger.EndKind;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogAuth;
import io.understudy.logger.LogRecord;
import io.understudy.logger.LogServer;
import io.understudy.logger.PrimaryEnded;
import io.understudy.logger.PrimaryOpened;
import io.understudy.logger.PrimaryRead;
import io.understudy.logger.PrimaryWrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrapper's read log shipped to a real logger (LogServer on loopback, a Chronicle event log in a temp dir), with
 * a real echo app behind the wrapper: what the log holds, and what sync commit guarantees.
 */
class ReadLogTest {
    private static final LogAuth KEY = LogAuth.of(new byte[LogAuth.KEY_BYTES]);

    private final InetAddress loopback = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private EventLog eventLog;
    private LogServer logger;
    private ReadLog readLog;
    private ServerSocket app;
    private PrimaryWrapper wrapper;
    private StallingLink link;

    @AfterEach
    void tearDown() throws IOException {
        if (wrapper != null) {
            wrapper.close();
        }
        if (readLog != null) {
            readLog.close();
        }
        if (link != null) {
            link.close();
        }
        if (logger != null) {
            logger.close();
        }
        if (eventLog != null) {
            eventLog.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void shouldLogOpenEveryReadEveryWriteAndTheEndsWhenAClientTalksAndHalfCloses() throws Exception {
        startLogger();
        start(false, 500);
        final String sent = "alpha\nbravo\ncharlie\n";
        try (Socket client = connect()) {
            for (final String line : sent.split("(?<=\n)")) {
                client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(client.getInputStream())).isEqualTo(line);
            }
            client.shutdownOutput();
            assertThat(client.getInputStream().read()).as("the app's FIN").isEqualTo(-1);
            final List<LogRecord> records = awaitLog(all ->
                    all.stream().anyMatch(r -> r instanceof PrimaryEnded ended && ended.kind() == EndKind.CLOSED));

            final PrimaryOpened opened = (PrimaryOpened) records.get(0);
            assertThat(opened.clientPort()).isEqualTo(client.getLocalPort());
            assertThat(opened.serverPort()).isEqualTo(wrapper.serviceAddress().getPort());
            assertThat(opened.optionsKnown())
                    .as("options read from the kernel (TCP_INFO)")
                    .isTrue();
            assertThat(opened.mss()).isPositive();
            assertThat(opened.sackPermitted())
                    .as("Linux loopback negotiates SACK")
                    .isTrue();
            assertThat(opened.timestamps()).as("and timestamps").isTrue();
            assertThat(opened.clientWindowScale()).as("and window scaling").isNotNegative();
            final ByteArrayOutputStream reads = new ByteArrayOutputStream();
            long writes = 0;
            for (final LogRecord record : records) {
                assertThat(record.connectionId()).isEqualTo(opened.connectionId());
                if (record instanceof PrimaryRead read) {
                    assertThat(read.streamOffset()).as("reads are contiguous").isEqualTo(reads.size());
                    reads.write(read.bytes());
                } else if (record instanceof PrimaryWrite write) {
                    assertThat(write.streamOffset()).as("writes are contiguous").isEqualTo(writes);
                    writes += write.length();
                }
            }
            assertThat(reads.toString(StandardCharsets.US_ASCII)).isEqualTo(sent);
            assertThat(writes).isEqualTo(sent.length());
            assertThat(records)
                    .filteredOn(r -> r instanceof PrimaryEnded)
                    .extracting(r -> ((PrimaryEnded) r).kind())
                    .containsExactly(EndKind.CLIENT_FIN, EndKind.APP_FIN, EndKind.CLOSED);
            assertThat(records)
                    .filteredOn(r -> r instanceof PrimaryEnded ended && ended.kind() == EndKind.CLIENT_FIN)
                    .extracting(r -> ((PrimaryEnded) r).streamOffset())
                    .containsExactly((long) sent.length());
        }
        assertThat(readLog.stats().degraded()).isNull();
    }

    @Test
    void shouldHaveTheReadInTheLogBeforeTheClientSeesTheReplyWhenCommitIsSync() throws Exception {
        startLogger();
        start(true, 5_000);
        try (Socket client = connect()) {
            for (int i = 0; i < 50; i++) {
                final String line = "request " + i + "\n";
                client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(client.getInputStream())).isEqualTo(line);
                final String logged = loggedReads();
                assertThat(logged)
                        .as("sync commit: the read behind reply %d is in the log already", i)
                        .endsWith(line);
            }
        }
        assertThat(readLog.stats().commitTimeouts()).isZero();
        assertThat(readLog.stats().commit()).isEqualTo("sync");
    }

    @Test
    void shouldKeepServingAndReportDegradedWhenTheLoggerIsDownAndCommitIsSync() throws Exception {
        try (RefusingPort refusing = new RefusingPort(loopback)) {
            final int deadPort = refusing.port();
            readLog = ReadLog.shipping(
                    "test", new InetSocketAddress(loopback, deadPort), KEY, 1 << 20, 50, true, 200, 0, 0);
            startWrapperWithEcho();
            try (Socket client = connect()) {
                for (int i = 0; i < 5; i++) {
                    final String line = "still here " + i + "\n";
                    client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
                    assertThat(readLine(client.getInputStream())).isEqualTo(line);
                }
            }
            final ReadLogStats stats = readLog.stats();
            assertThat(stats.connected()).isFalse();
            assertThat(stats.degraded()).startsWith("logger unreachable");
            assertThat(stats.commitTimeouts()).isPositive();
            assertThat(stats.lagRecords())
                    .as("records kept for when the logger comes")
                    .isPositive()
                    .isEqualTo(stats.shipped())
                    .isLessThan(100);
        }
    }

    @Test
    void shouldHoldRepliesOnceTheLoggerLagsBeyondTheBoundWhenCommitIsAsync() throws Exception {
        startLogger();
        link = new StallingLink(logger.address());
        readLog = ReadLog.shipping("test", link.address(), KEY, 1 << 20, 50, false, 10_000, LAG_BOUND_MS, 0);
        startWrapperWithEcho();
        try (Socket client = connect()) {
            assertThat(echo(client, "before\n")).isEqualTo("before\n");
            awaitAllAcked();
            link.stall();

            assertThat(echo(client, "first\n"))
                    .as("async: the logger is not behind yet, the reply goes out at once")
                    .isEqualTo("first\n");
            Thread.sleep(LAG_BOUND_MS * 2);
            client.getOutputStream().write("second\n".getBytes(StandardCharsets.US_ASCII));
            client.setSoTimeout(500);
            assertThatThrownBy(() -> readLine(client.getInputStream()))
                    .as("the logger has not acked a record for %d ms: the reply waits for it", LAG_BOUND_MS * 2)
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(readLog.stats().heldForLag()).isPositive();
            assertThat(readLog.stats().lagMs()).isGreaterThan(LAG_BOUND_MS);

            link.resume();
            client.setSoTimeout(10_000);
            assertThat(readLine(client.getInputStream())).isEqualTo("second\n");
            assertThat(loggedReads())
                    .as("the read behind the held reply is in the log")
                    .endsWith("second\n");
        }
        assertThat(readLog.stats().commitTimeouts())
                .as("released by the ack, not by the timeout")
                .isZero();
        assertThat(readLog.stats().maxLagMs()).isEqualTo(LAG_BOUND_MS);
    }

    /**
     * The relay keeps a list of the connections whose output waits for the logger, and forgets each connection as it
     * closes: with several open, some closed and some holding, each held reply goes out on its own connection once
     * the logger acks, and the closed ones are gone from the relay's list.
     */
    @Test
    void shouldReleaseEveryConnectionsHeldReplyAndForgetTheClosedOnes() throws Exception {
        startLogger();
        link = new StallingLink(logger.address());
        readLog = ReadLog.shipping("test", link.address(), KEY, 1 << 20, 50, false, 10_000, LAG_BOUND_MS, 0);
        startWrapperWithEchoForEach();
        final List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                clients.add(connect());
                assertThat(echo(clients.get(i), "before " + i + "\n")).isEqualTo("before " + i + "\n");
            }
            for (int i = 0; i < 3; i++) {
                clients.get(i).close();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (wrapper.connections().size() > 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(wrapper.connections())
                    .as("the three closed connections forgotten")
                    .hasSize(3);
            awaitAllAcked();

            link.stall();
            assertThat(echo(clients.get(3), "first\n")).isEqualTo("first\n");
            Thread.sleep(LAG_BOUND_MS * 2);
            for (int i = 3; i < 6; i++) {
                clients.get(i).getOutputStream().write(("second " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            for (int i = 3; i < 6; i++) {
                final Socket client = clients.get(i);
                client.setSoTimeout(200);
                assertThatThrownBy(() -> readLine(client.getInputStream()))
                        .as("connection %d: the reply waits for the lagging logger", i)
                        .isInstanceOf(SocketTimeoutException.class);
            }
            link.resume();
            for (int i = 3; i < 6; i++) {
                clients.get(i).setSoTimeout(10_000);
                assertThat(readLine(clients.get(i).getInputStream()))
                        .as("connection %d's own reply, once the logger acked", i)
                        .isEqualTo("second " + i + "\n");
            }
            assertThat(echo(clients.get(4), "after\n")).isEqualTo("after\n");
        } finally {
            for (final Socket client : clients) {
                client.close();
            }
        }
    }

    /**
     * The link to the logger's host is cut while the connection to it stays open (no RST, TCP retransmits): the
     * first held reply waits out the commit timeout, the next ones do not wait again until the logger acks. In a lab
     * run every reply waited 500 ms while the backup was cut off, which made the live primary look dead to it.
     */
    @Test
    void shouldStopWaitingForASilentLoggerAfterOneCommitTimeoutUntilItAcksAgain() throws Exception {
        startLogger();
        link = new StallingLink(logger.address());
        readLog = ReadLog.shipping("test", link.address(), KEY, 1 << 20, 50, true, 300, 0, 0);
        startWrapperWithEcho();
        try (Socket client = connect()) {
            assertThat(echo(client, "before\n")).isEqualTo("before\n");
            awaitAllAcked();
            link.stall();

            assertThat(echo(client, "first\n")).isEqualTo("first\n");
            assertThat(readLog.stats().commitTimeouts())
                    .as("released by the timeout")
                    .isEqualTo(1);
            assertThat(readLog.stats().degraded()).contains("output goes out without waiting");
            for (int i = 0; i < 10; i++) {
                assertThat(echo(client, "silent " + i + "\n")).isEqualTo("silent " + i + "\n");
            }
            assertThat(readLog.stats().commitTimeouts())
                    .as("no further reply waited for the silent logger")
                    .isEqualTo(1);

            link.resume();
            awaitAllAcked();
            assertThat(echo(client, "acked again\n")).isEqualTo("acked again\n");
            assertThat(readLog.stats().degraded())
                    .as("the logger acks again: sync commit waits for it again")
                    .doesNotContain("output goes out without waiting");
            link.stall();
            client.getOutputStream().write("held\n".getBytes(StandardCharsets.US_ASCII));
            client.setSoTimeout(150);
            assertThatThrownBy(() -> readLine(client.getInputStream()))
                    .as("after the logger acked again, a reply waits for its ack again")
                    .isInstanceOf(SocketTimeoutException.class);
            link.resume();
            client.setSoTimeout(10_000);
            assertThat(readLine(client.getInputStream())).isEqualTo("held\n");
        }
        assertThat(loggedReads())
                .as("every read reached the log once the link was back")
                .endsWith("silent 9\nacked again\nheld\n");
    }

    /**
     * The node lost the peer whose host runs the logger, and the logger has acked nothing for the grace: the held reply
     * goes out then, not after a commit timeout. Lost and heard again, it waits as before.
     */
    @Test
    void shouldStopWaitingOnceTheLoggersHostIsLostAndTheLoggerSilent() throws Exception {
        startLogger();
        link = new StallingLink(logger.address());
        readLog = ReadLog.shipping("test", link.address(), KEY, 1 << 20, 50, true, 60_000, 0, 0);
        startWrapperWithEcho();
        try (Socket client = connect()) {
            assertThat(echo(client, "before\n")).isEqualTo("before\n");
            awaitAllAcked();
            assertThat(readLog.peerLost())
                    .as("a false loss: the logger still acks")
                    .isTrue();
            assertThat(echo(client, "live\n")).isEqualTo("live\n");
            assertThat(readLog.stats().degraded())
                    .as("the reply waited for the logger's ack")
                    .isNull();
            link.stall();
            readLog.peerHeard();
            client.getOutputStream().write("held\n".getBytes(StandardCharsets.US_ASCII));
            client.setSoTimeout(500);
            assertThatThrownBy(() -> readLine(client.getInputStream()))
                    .as(
                            "sync commit, the logger silent, a commit timeout of 60 s, the peer heard again: the reply waits")
                    .isInstanceOf(SocketTimeoutException.class);

            assertThat(readLog.peerLost()).isTrue();
            client.setSoTimeout(10_000);
            assertThat(readLine(client.getInputStream()))
                    .as("released: peer lost, logger silent")
                    .isEqualTo("held\n");
            assertThat(echo(client, "next\n")).isEqualTo("next\n");
            assertThat(readLog.peerLost()).as("already not waiting").isFalse();
            assertThat(readLog.stats().degraded()).contains("output goes out without waiting");
            assertThat(readLog.stats().commitTimeouts())
                    .as("no commit timeout was waited out")
                    .isZero();
            link.resume();
        }
        assertThat(ReadLog.NONE.peerLost()).as("no log, nothing to stop").isFalse();
    }

    /**
     * A new primary ships to the logger beside the primary it took over from, which is gone: its replies must not wait
     * for it (they waited the commit timeout, 450 ms in a lab capture), and once a logger there acks again and has
     * caught up, output waits for it again.
     */
    @Test
    void shouldNotHoldRepliesForTheLoggerOfAHostTakenOverFromUntilALoggerThereAcks() throws Exception {
        startLogger();
        link = new StallingLink(logger.address());
        link.stall(); // the old primary's host: nothing it would ack
        readLog = ReadLog.shipping("test", link.address(), KEY, 1 << 20, 50, false, 60_000, LAG_BOUND_MS, 0);
        assertThat(readLog.loggerHostGone()).as("output could wait for it").isTrue();
        startWrapperWithEcho();
        try (Socket client = connect()) {
            for (int i = 0; i < 5; i++) {
                client.setSoTimeout(2_000);
                assertThat(echo(client, "gone " + i + "\n"))
                        .as("a commit timeout of 60 s, the logger silent: the reply goes out anyway")
                        .isEqualTo("gone " + i + "\n");
                Thread.sleep(LAG_BOUND_MS);
            }
            assertThat(readLog.stats().heldForLag()).as("nothing held").isZero();
            assertThat(readLog.stats().commitTimeouts())
                    .as("no reply waited out a commit timeout")
                    .isZero();

            link.resume(); // a logger there again (the old primary back as the backup)
            awaitAllAcked();
            assertThat(echo(client, "back\n")).isEqualTo("back\n");
            link.stall();
            assertThat(echo(client, "first\n")).isEqualTo("first\n");
            Thread.sleep(LAG_BOUND_MS * 2);
            client.getOutputStream().write("held\n".getBytes(StandardCharsets.US_ASCII));
            client.setSoTimeout(500);
            assertThatThrownBy(() -> readLine(client.getInputStream()))
                    .as("the logger caught up: a reply waits for it again once it lags")
                    .isInstanceOf(SocketTimeoutException.class);
            link.resume();
            client.setSoTimeout(10_000);
            assertThat(readLine(client.getInputStream())).isEqualTo("held\n");
        }
        assertThat(loggedReads())
                .as("every read reached the logger once it was back")
                .endsWith("gone 4\nback\nfirst\nheld\n");
        assertThat(ReadLog.NONE.loggerHostGone()).as("no log, nothing to stop").isFalse();
    }

    @Test
    void shouldNeverHoldRepliesWhenCommitIsAsyncWithoutALagBound() throws Exception {
        startLogger();
        link = new StallingLink(logger.address());
        readLog = ReadLog.shipping("test", link.address(), KEY, 1 << 20, 50, false, 10_000, 0, 0);
        startWrapperWithEcho();
        try (Socket client = connect()) {
            assertThat(echo(client, "before\n")).isEqualTo("before\n");
            awaitAllAcked();
            link.stall();
            assertThat(echo(client, "first\n")).isEqualTo("first\n");
            Thread.sleep(LAG_BOUND_MS * 2);
            client.setSoTimeout(2_000);
            assertThat(echo(client, "second\n"))
                    .as("no bound: the reply goes out however far the logger lags")
                    .isEqualTo("second\n");
            assertThat(readLog.stats().heldForLag()).isZero();
            link.resume();
        }
    }

    private static final long LAG_BOUND_MS = 150;

    private static String echo(final Socket client, final String line) throws IOException {
        client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
        return readLine(client.getInputStream());
    }

    private void awaitAllAcked() throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (readLog.stats().lagRecords() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(readLog.stats().lagRecords())
                .as("records the logger has not acked")
                .isZero();
    }

    @Test
    void shouldNameTheLoggedIdOfAConnectionByThePortItsAppSeesUntilItCloses() throws Exception {
        startLogger();
        start(false, 500);
        final int appPort;
        try (Socket client = connect()) {
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(client.getInputStream())).isEqualTo("ping\n");
            final RelayedConnection relayed = wrapper.connections().get(0);
            appPort = relayed.appPort();
            final PrimaryOpened opened =
                    (PrimaryOpened) awaitLog(all -> !all.isEmpty()).get(0);
            assertThat(relayed.loggedAs()).isEqualTo(opened.connectionId());
            assertThat(wrapper.loggedIdOfAppPort(appPort)).isEqualTo(opened.connectionId());
            assertThat(wrapper.loggedIdOfAppPort(app.getLocalPort()))
                    .as("the app's own port is no relay socket's")
                    .isZero();
            client.shutdownOutput();
            assertThat(client.getInputStream().read()).as("the app's FIN").isEqualTo(-1);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (wrapper.loggedIdOfAppPort(appPort) != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(wrapper.loggedIdOfAppPort(appPort))
                .as("forgotten once closed")
                .isZero();
    }

    @Test
    void shouldNameTheLoggedIdOfAnAppSidePortBeforeTheAppHasAcceptedIt() throws Exception {
        startLogger();
        readLog = ReadLog.shipping("test", logger.address(), KEY, 1 << 20, 50, false, 500, 0, 0);
        // An app whose accept queue two connections fill (backlog 1): the relay's SYN to it goes unanswered until
        // it accepts them, as an app that is slow to accept leaves it.
        app = new ServerSocket(0, 1, loopback);
        try (Socket queued = new Socket(loopback, app.getLocalPort());
                Socket queuedToo = new Socket(loopback, app.getLocalPort())) {
            startWrapper();
            try (Socket client = connect()) {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (wrapper.connections().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                final RelayedConnection relayed = wrapper.connections().get(0);
                assertThat(relayed.appPort())
                        .as("the port of the relay's socket to the app, its connect still pending")
                        .isPositive();
                assertThat(wrapper.loggedIdOfAppPort(relayed.appPort()))
                        .as("what the seed service answers for that port now")
                        .isPositive()
                        .isEqualTo(relayed.loggedAs());

                app.accept().close();
                app.accept().close();
                try (Socket appSide = app.accept()) {
                    assertThat(appSide.getPort())
                            .as("the port the app sees as its peer's")
                            .isEqualTo(relayed.appPort());
                    client.getOutputStream().write('x');
                    assertThat(appSide.getInputStream().read()).isEqualTo('x');
                }
            }
        }
    }

    private void startLogger() throws IOException {
        eventLog = EventLog.open(EventLogConfig.of(dir.resolve("events")));
        logger = LogServer.start("test", new InetSocketAddress(loopback, 0), eventLog, KEY);
    }

    private void start(final boolean sync, final long commitTimeoutMs) throws IOException {
        readLog = ReadLog.shipping("test", logger.address(), KEY, 1 << 20, 50, sync, commitTimeoutMs, 0, 0);
        startWrapperWithEcho();
    }

    /** An echo app: each connection's bytes straight back, then its FIN after the client's. */
    private void startWrapperWithEcho() throws IOException {
        app = new ServerSocket(0, 50, loopback);
        CompletableFuture.runAsync(() -> {
            try (Socket socket = app.accept()) {
                socket.getInputStream().transferTo(socket.getOutputStream());
                socket.shutdownOutput();
            } catch (final IOException ignored) {
                // the test closed the app
            }
        });
        startWrapper();
    }

    /** Like {@link #startWrapperWithEcho()}, with an echo app that serves every connection, each on a thread. */
    private void startWrapperWithEchoForEach() throws IOException {
        app = new ServerSocket(0, 50, loopback);
        final ServerSocket listening = app;
        final Thread acceptor = new Thread(() -> {
            while (!listening.isClosed()) {
                try {
                    final Socket socket = listening.accept();
                    final Thread echo = new Thread(() -> {
                        try (socket) {
                            socket.getInputStream().transferTo(socket.getOutputStream());
                            socket.shutdownOutput();
                        } catch (final IOException ignored) {
                            // the client went or the test closed the app
                        }
                    });
                    echo.setDaemon(true);
                    echo.start();
                } catch (final IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        startWrapper();
    }

    /** The wrapper in front of {@code app}, shipping to {@code readLog}. */
    private void startWrapper() throws IOException {
        wrapper = PrimaryWrapper.start(new PrimaryWrapperConfig(
                "test",
                new InetSocketAddress(loopback, 0),
                new InetSocketAddress(loopback, app.getLocalPort()),
                PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES,
                CloseGuard.NONE,
                readLog));
    }

    private Socket connect() throws IOException {
        final Socket client = new Socket(loopback, wrapper.serviceAddress().getPort());
        client.setSoTimeout(10_000);
        return client;
    }

    private static String readLine(final InputStream in) throws IOException {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            line.append((char) b);
            if (b == '\n') {
                break;
            }
        }
        return line.toString();
    }

    private List<LogRecord> records() {
        final List<LogRecord> records = new ArrayList<>();
        try (EventLog.Reader reader = eventLog.reader()) {
            Optional<LogRecord> next;
            while ((next = reader.poll()).isPresent()) {
                records.add(next.get());
            }
        } catch (final Exception ex) {
            throw new IllegalStateException(ex);
        }
        return records;
    }

    private String loggedReads() {
        final StringBuilder reads = new StringBuilder();
        for (final LogRecord record : records()) {
            if (record instanceof PrimaryRead read) {
                reads.append(new String(read.bytes(), StandardCharsets.US_ASCII));
            }
        }
        return reads.toString();
    }

    private List<LogRecord> awaitLog(final Predicate<List<LogRecord>> done) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<LogRecord> records = records();
        while (!done.test(records) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            records = records();
        }
        assertThat(done.test(records))
                .as("log reached the expected state: %s", records)
                .isTrue();
        return records;
    }
}
