package io.understudy.ops.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one load test: starts every connection (on a few selector loops, or a thread each for PostgreSQL), waits for all
 * of them and totals the results.
 */
final class LoadRun {
    private static final long STOP_POLL_MS = 100;

    private LoadRun() {}

    /** Blocks for the run's duration (plus the wait for replies still due at its end). */
    static LoadReport run(final LoadConfig config) throws InterruptedException {
        return run(config, null);
    }

    /** Like {@link #run(LoadConfig)}; writes every connection's stalls to {@code stallLog} when it is not null. */
    static LoadReport run(final LoadConfig config, final Path stallLog) throws InterruptedException {
        return run(config, stallLog, null);
    }

    /**
     * Like {@link #run(LoadConfig, Path)}; when {@code stopFile} is not null the run also ends (as at its deadline,
     * replies still due awaited) once that file exists.
     */
    static LoadReport run(final LoadConfig config, final Path stallLog, final Path stopFile)
            throws InterruptedException {
        if (config.protocol() == Protocol.POSTGRES) {
            createTable(config);
        }
        final long startEpochMs = System.currentTimeMillis();
        final long startNs = System.nanoTime();
        final AtomicLong deadlineNs = new AtomicLong(startNs + config.durationMs() * 1_000_000L);
        final boolean blocking = config.protocol() == Protocol.POSTGRES;
        // PostgreSQL's driver blocks: a thread per connection. The others: a selector loop per core.
        final int threadTotal = blocking
                ? config.connections()
                : Math.min(
                        config.connections(), Math.max(1, Runtime.getRuntime().availableProcessors()));
        final AtomicInteger threadCount = new AtomicInteger();
        final ExecutorService threads = Executors.newFixedThreadPool(threadTotal, task -> {
            final Thread thread = new Thread(task, "loadgen-" + threadCount.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        final Thread stopWatch =
                stopFile == null ? null : new Thread(() -> watchStopFile(stopFile, deadlineNs), "loadgen-stop-file");
        if (stopWatch != null) {
            stopWatch.setDaemon(true);
            stopWatch.start();
        }
        try {
            final List<Future<List<ConnectionResult>>> futures = new ArrayList<>();
            if (blocking) {
                for (int index = 0; index < config.connections(); index++) {
                    final LoadConnection connection = new LoadConnection(config, index, startNs, deadlineNs);
                    futures.add(threads.submit(() -> List.of(connection.call())));
                }
            } else {
                for (int loop = 0; loop < threadTotal; loop++) {
                    final List<Integer> indexes = new ArrayList<>();
                    for (int index = loop; index < config.connections(); index += threadTotal) {
                        indexes.add(index);
                    }
                    futures.add(threads.submit(new LoadLoop(config, indexes, startNs, deadlineNs)));
                }
            }
            final List<ConnectionResult> results = new ArrayList<>();
            for (final Future<List<ConnectionResult>> future : futures) {
                results.addAll(resultOf(future));
            }
            results.sort(java.util.Comparator.comparingInt(ConnectionResult::index));
            final LoadReport report = LoadReport.of(results, System.nanoTime() - startNs, config.protocol());
            if (stallLog != null) {
                writeStalls(stallLog, results, startNs, startEpochMs);
            }
            return report;
        } finally {
            threads.shutdownNow();
            if (stopWatch != null) {
                stopWatch.interrupt();
            }
        }
    }

    /**
     * The counters table, made once before the connections (made by each, two could collide in PostgreSQL's catalog).
     * When it cannot be made, the connections fail with the same cause and the report says so for each.
     */
    private static void createTable(final LoadConfig config) {
        try {
            PostgresClient.createTable(config, System.getenv());
        } catch (final java.io.IOException ex) {
            org.slf4j.LoggerFactory.getLogger(LoadRun.class)
                    .warn(
                            "loadgen: cannot create {} on {}:{}: {}",
                            PostgresClient.TABLE,
                            config.host(),
                            config.port(),
                            ex.toString());
        }
    }

    /** Brings the deadline forward to now once {@code stopFile} exists; looks every {@value #STOP_POLL_MS} ms. */
    private static void watchStopFile(final Path stopFile, final AtomicLong deadlineNs) {
        try {
            while (!Files.exists(stopFile)) {
                Thread.sleep(STOP_POLL_MS);
            }
            final long nowNs = System.nanoTime();
            deadlineNs.accumulateAndGet(nowNs, (deadline, now) -> deadline - now > 0 ? now : deadline);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** CSV: connection, start (Unix ms, wall clock), length (ms), kind (slow: one slow reply; stopped: it failed). */
    static void writeStalls(
            final Path file, final List<ConnectionResult> results, final long startNs, final long startEpochMs) {
        final StringBuilder csv = new StringBuilder("connection,start_unix_ms,stall_ms,kind\n");
        for (final ConnectionResult result : results) {
            final long[] stalls = result.stalls();
            for (int i = 0; i + 2 < stalls.length; i += 3) {
                csv.append(String.format(
                        Locale.ROOT,
                        "%d,%.3f,%.3f,%s%n",
                        result.index(),
                        startEpochMs + (stalls[i] - startNs) / 1e6,
                        stalls[i + 1] / 1e6,
                        stalls[i + 2] == ConnectionRecorder.STOPPED ? "stopped" : "slow"));
            }
        }
        try {
            Files.writeString(file, csv, StandardCharsets.US_ASCII);
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot write the stall log " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static List<ConnectionResult> resultOf(final Future<List<ConnectionResult>> future)
            throws InterruptedException {
        try {
            return future.get();
        } catch (final ExecutionException ex) {
            // A connection catches every I/O failure itself, so this is a bug (or no selector could be opened):
            // do not hide it in the counts.
            throw new IllegalStateException("load connections failed unexpectedly", ex.getCause());
        }
    }
}
