package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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

/**
 * The wrapper's read log shipped to a real logger (LogServer on loopback, a Chronicle event log in a temp dir), with
 * a real echo app behind the wrapper: what the log holds, and what sync commit guarantees.
 */
class ReadLogTest
{
    private static final LogAuth KEY = LogAuth.of(new byte[LogAuth.KEY_BYTES]);

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    @TempDir
    Path dir;
    private EventLog eventLog;
    private LogServer logger;
    private ReadLog readLog;
    private ServerSocket app;
    private PrimaryWrapper wrapper;

    @AfterEach
    void tearDown() throws IOException
    {
        if (wrapper != null)
        {
            wrapper.close();
        }
        if (readLog != null)
        {
            readLog.close();
        }
        if (logger != null)
        {
            logger.close();
        }
        if (eventLog != null)
        {
            eventLog.close();
        }
        if (app != null)
        {
            app.close();
        }
    }

    @Test
    void shouldLogOpenEveryReadEveryWriteAndTheEndsWhenAClientTalksAndHalfCloses() throws Exception
    {
        startLogger();
        start(false, 500);
        final String sent = "alpha\nbravo\ncharlie\n";
        try (Socket client = connect())
        {
            for (final String line : sent.split("(?<=\n)"))
            {
                client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(client.getInputStream())).isEqualTo(line);
            }
            client.shutdownOutput();
            assertThat(client.getInputStream().read()).as("the app's FIN").isEqualTo(-1);
            final List<LogRecord> records = awaitLog(all -> all.stream().anyMatch(
                r -> r instanceof PrimaryEnded ended && ended.kind() == EndKind.CLOSED));

            final PrimaryOpened opened = (PrimaryOpened)records.get(0);
            assertThat(opened.clientPort()).isEqualTo(client.getLocalPort());
            assertThat(opened.serverPort()).isEqualTo(wrapper.serviceAddress().getPort());
            assertThat(opened.optionsKnown()).as("options read from the kernel (TCP_INFO)").isTrue();
            assertThat(opened.mss()).isPositive();
            assertThat(opened.sackPermitted()).as("Linux loopback negotiates SACK").isTrue();
            assertThat(opened.timestamps()).as("and timestamps").isTrue();
            assertThat(opened.clientWindowScale()).as("and window scaling").isNotNegative();
            final ByteArrayOutputStream reads = new ByteArrayOutputStream();
            long writes = 0;
            for (final LogRecord record : records)
            {
                assertThat(record.connectionId()).isEqualTo(opened.connectionId());
                if (record instanceof PrimaryRead read)
                {
                    assertThat(read.streamOffset()).as("reads are contiguous").isEqualTo(reads.size());
                    reads.write(read.bytes());
                }
                else if (record instanceof PrimaryWrite write)
                {
                    assertThat(write.streamOffset()).as("writes are contiguous").isEqualTo(writes);
                    writes += write.length();
                }
            }
            assertThat(reads.toString(StandardCharsets.US_ASCII)).isEqualTo(sent);
            assertThat(writes).isEqualTo(sent.length());
            assertThat(records).filteredOn(r -> r instanceof PrimaryEnded).extracting(r -> ((PrimaryEnded)r).kind())
                .containsExactly(EndKind.CLIENT_FIN, EndKind.APP_FIN, EndKind.CLOSED);
            assertThat(records).filteredOn(r -> r instanceof PrimaryEnded ended && ended.kind() == EndKind.CLIENT_FIN)
                .extracting(r -> ((PrimaryEnded)r).streamOffset()).containsExactly((long)sent.length());
        }
        assertThat(readLog.stats().degraded()).isNull();
    }

    @Test
    void shouldHaveTheReadInTheLogBeforeTheClientSeesTheReplyWhenCommitIsSync() throws Exception
    {
        startLogger();
        start(true, 5_000);
        try (Socket client = connect())
        {
            for (int i = 0; i < 50; i++)
            {
                final String line = "request " + i + "\n";
                client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(client.getInputStream())).isEqualTo(line);
                final String logged = loggedReads();
                assertThat(logged).as("sync commit: the read behind reply %d is in the log already", i)
                    .endsWith(line);
            }
        }
        assertThat(readLog.stats().commitTimeouts()).isZero();
        assertThat(readLog.stats().commit()).isEqualTo("sync");
    }

    @Test
    void shouldKeepServingAndReportDegradedWhenTheLoggerIsDownAndCommitIsSync() throws Exception
    {
        final int deadPort;
        try (ServerSocket unused = new ServerSocket(0, 1, loopback))
        {
            deadPort = unused.getLocalPort();
        }
        readLog = ReadLog.shipping("test", new InetSocketAddress(loopback, deadPort), KEY, 1 << 20, 50, true, 200);
        startWrapperWithEcho();
        try (Socket client = connect())
        {
            for (int i = 0; i < 5; i++)
            {
                final String line = "still here " + i + "\n";
                client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(client.getInputStream())).isEqualTo(line);
            }
        }
        final ReadLogStats stats = readLog.stats();
        assertThat(stats.connected()).isFalse();
        assertThat(stats.degraded()).startsWith("logger unreachable");
        assertThat(stats.commitTimeouts()).isPositive();
        assertThat(stats.lagRecords()).as("records kept for when the logger comes").isPositive();
    }

    private void startLogger() throws IOException
    {
        eventLog = EventLog.open(EventLogConfig.of(dir.resolve("events")));
        logger = LogServer.start("test", new InetSocketAddress(loopback, 0), eventLog, KEY);
    }

    private void start(final boolean sync, final long commitTimeoutMs) throws IOException
    {
        readLog = ReadLog.shipping("test", logger.address(), KEY, 1 << 20, 50, sync, commitTimeoutMs);
        startWrapperWithEcho();
    }

    /** An echo app: each connection's bytes straight back, then its FIN after the client's. */
    private void startWrapperWithEcho() throws IOException
    {
        app = new ServerSocket(0, 50, loopback);
        CompletableFuture.runAsync(() ->
        {
            try (Socket socket = app.accept())
            {
                socket.getInputStream().transferTo(socket.getOutputStream());
                socket.shutdownOutput();
            }
            catch (final IOException ignored)
            {
                // the test closed the app
            }
        });
        wrapper = PrimaryWrapper.start(new PrimaryWrapperConfig("test", new InetSocketAddress(loopback, 0),
            new InetSocketAddress(loopback, app.getLocalPort()), PrimaryWrapperConfig.DEFAULT_BUFFER_BYTES,
            CloseGuard.NONE, readLog));
    }

    private Socket connect() throws IOException
    {
        final Socket client = new Socket(loopback, wrapper.serviceAddress().getPort());
        client.setSoTimeout(10_000);
        return client;
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0)
        {
            line.append((char)b);
            if (b == '\n')
            {
                break;
            }
        }
        return line.toString();
    }

    private List<LogRecord> records()
    {
        final List<LogRecord> records = new ArrayList<>();
        try (EventLog.Reader reader = eventLog.reader())
        {
            Optional<LogRecord> next;
            while ((next = reader.poll()).isPresent())
            {
                records.add(next.get());
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        return records;
    }

    private String loggedReads()
    {
        final StringBuilder reads = new StringBuilder();
        for (final LogRecord record : records())
        {
            if (record instanceof PrimaryRead read)
            {
                reads.append(new String(read.bytes(), StandardCharsets.US_ASCII));
            }
        }
        return reads.toString();
    }

    private List<LogRecord> awaitLog(final Predicate<List<LogRecord>> done) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<LogRecord> records = records();
        while (!done.test(records) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
            records = records();
        }
        assertThat(done.test(records)).as("log reached the expected state: %s", records).isTrue();
        return records;
    }
}
