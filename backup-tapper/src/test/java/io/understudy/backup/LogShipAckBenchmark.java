package io.understudy.backup;

import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogAuth;
import io.understudy.logger.LogServer;
import io.understudy.logger.LogShipper;
import io.understudy.logger.PrimaryRead;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What sync commit waits for, per reply: one read shipped to the logger (LogShipper to LogServer over loopback, a
 * Chronicle append) and its ack back, the waiting thread woken by the ack callback as the relay's selector is.
 * Sample time, so the percentiles show.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LogShipAckBenchmark {
    private static final byte[] REQUEST = new byte[64];

    private final Object acked = new Object();
    private Path dir;
    private EventLog log;
    private LogServer server;
    private LogShipper shipper;
    private long offset;

    @Setup
    public void setUp() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("understudy-bench-log");
        log = EventLog.open(EventLogConfig.of(dir.resolve("events")));
        // The real configuration: the read-log key, HMAC handshake and a MAC on every frame.
        final LogAuth auth = LogAuth.of(new byte[LogAuth.KEY_BYTES]);
        server = LogServer.start("bench", new InetSocketAddress("127.0.0.1", 0), log, auth);
        shipper = LogShipper.start("bench", server.address(), auth, 64L << 20, 50, () -> {
            synchronized (acked) {
                acked.notifyAll();
            }
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!shipper.stats().connected() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Benchmark
    public long shipOneReadAndAwaitItsAck() throws InterruptedException {
        final long seq = shipper.nextSeq();
        shipper.ship(new PrimaryRead(1, System.nanoTime(), seq, offset, REQUEST));
        offset += REQUEST.length;
        synchronized (acked) {
            while (shipper.ackedSeq() < seq) {
                acked.wait(5);
            }
        }
        return seq;
    }

    @TearDown
    public void tearDown() throws IOException {
        shipper.close();
        server.close();
        log.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }
}
