package io.understudy.ops.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs one load test: starts every connection on its own thread, waits for all of them and totals the results. */
final class LoadRun {
    private LoadRun() {
    }

    /** Blocks for the run's duration (plus the wait for replies still due at its end). */
    static LoadReport run(final LoadConfig config) throws InterruptedException {
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + config.durationMs() * 1_000_000L;
        final AtomicInteger threadCount = new AtomicInteger();
        final ExecutorService threads = Executors.newFixedThreadPool(config.connections(), task -> {
            final Thread thread = new Thread(task, "loadgen-connection-" + threadCount.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        try {
            final List<Future<ConnectionResult>> futures = new ArrayList<>();
            for (int index = 0; index < config.connections(); index++) {
                futures.add(threads.submit(new LoadConnection(config, index, startNs, deadlineNs)));
            }
            final List<ConnectionResult> results = new ArrayList<>();
            for (final Future<ConnectionResult> future : futures) {
                results.add(resultOf(future));
            }
            return LoadReport.of(results, System.nanoTime() - startNs, config.protocol());
        } finally {
            threads.shutdownNow();
        }
    }

    private static ConnectionResult resultOf(final Future<ConnectionResult> future) throws InterruptedException {
        try {
            return future.get();
        } catch (final ExecutionException ex) {
            // A connection catches every I/O failure itself, so this is a bug: do not hide it in the counts.
            throw new IllegalStateException("load connection failed unexpectedly", ex.getCause());
        }
    }
}
