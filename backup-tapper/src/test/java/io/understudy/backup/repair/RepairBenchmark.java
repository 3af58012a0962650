package io.understudy.backup.repair;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What a takeover spends per connection in TCP_REPAIR: one socket built as a takeover builds it (sequence numbers,
 * MSS, window scale, SACK, timestamps, 100 unacked bytes in the send queue, the window), then dropped silently (still
 * in repair mode: nothing is sent; the peer address is loopback's discard port). Issue 13's target: 20 us a socket.
 * Needs root (CAP_NET_ADMIN).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RepairBenchmark {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final RestoreSpec spec = RestoreSpec.of(
                    new InetSocketAddress(LOOPBACK, 0), new InetSocketAddress(LOOPBACK, 9), 1_000_000, 2_000_000, 1460)
            .withWindowScales(7, 7)
            .withSackPermitted(true)
            .withTimestamps(123_456)
            .withUnackedBytes(new byte[100])
            .withWindow(new RepairWindow(2_000_000 - 1, 64_000, 64_000, 64_000, 2_000_000));

    @Benchmark
    public int buildInRepairMode() throws IOException {
        final SocketChannel channel = TcpRepair.prepare(spec);
        final int fd = TcpRepair.fd(channel);
        TcpRepair.closeSilently(channel);
        return fd;
    }
}
